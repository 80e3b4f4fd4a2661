package dev.editgate.gate.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.fixtures.mutants.Mutant;
import dev.editgate.gate.config.GateKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs contract subclasses through the JUnit platform, as Surefire/Failsafe would, and checks what a user
 * sees: a broken edit fails the structural test with its minimal counterexample and diagnosis, and the
 * later stages are reported as skipped with why.
 */
class HeadPermutationContractTest {

    /** A lab's contract test with the seed's layout bug. Not named *Test/*IT so the build does not run it directly. */
    static class SeedLayoutContract extends HeadPermutationContract {
        @Override
        protected HeadPermutationEdit edit() {
            return Mutant.SEED_COMPONENT_MAJOR_QKV.edit();
        }

        @Override
        protected Map<GateKey, String> settings() {
            return Map.of(GateKey.TRIES, "40", GateKey.SEED, "7", GateKey.REPORT, "target/editgate-contract-test");
        }
    }

    /** A contract whose time budget is spent before any stage. */
    static class NoTimeContract extends HeadPermutationContract {
        @Override
        protected HeadPermutationEdit edit() {
            return dev.editgate.core.edit.BuiltInHeadPermutation.INSTANCE;
        }

        @Override
        protected Map<GateKey, String> settings() {
            return Map.of(GateKey.TIME_BUDGET, "1ms", GateKey.SEED, "7", GateKey.REPORT, "target/editgate-contract-test-budget");
        }
    }

    @Test
    void aSpentTimeBudgetFailsTheBuildAsInconclusiveInsteadOfSkippingEveryStage() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(NoTimeContract.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(5).failed(4).aborted(1).succeeded(0)); // harness(): no runner configured
        String message = tests.failed().list().get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getMessage();
        assertThat(message).contains("stage was not run (verdict INCONCLUSIVE)").contains("time budget");
    }

    @Test
    void aBrokenEditFailsStructuralWithTheMinimalCounterexampleAndSkipsTheRest() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(SeedLayoutContract.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(5).failed(1).aborted(4).succeeded(0));
        Event failed = tests.failed().list().get(0);
        String message = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getMessage();
        assertThat(failed.getTestDescriptor().getDisplayName()).isEqualTo("structural()");
        assertThat(message)
                .contains("minimal counterexample: (0 1)")
                .contains("seed: 7")
                .contains("rerun: mvn test -Dtest=SeedLayoutContract -Deditgate.seed=7")
                .doesNotContain("./editgate gate")
                .contains("[3, heads, head_dim]");
        List<String> skipped = tests.aborted().list().stream().map(e -> e.getTestDescriptor().getDisplayName()).toList();
        assertThat(skipped).containsExactly("numeric()", "functional()", "behavioural()", "harness()");
    }
}
