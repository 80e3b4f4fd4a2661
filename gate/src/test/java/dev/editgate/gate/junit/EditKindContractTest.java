package dev.editgate.gate.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.fixtures.mutants.Mutant;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The generic contract, run as Surefire would: a correct neuron permutation passes, a one-sided one fails structural. */
class EditKindContractTest {

    /** A lab's correct MLP neuron permutation (the built-in), on the tiny GPT-2. */
    static class GoodNeuronContract extends EditKindContract<Permutation> {
        @Override
        protected EditKind<Permutation> kind() { return EditKinds.MLP_PERMUTATION; }

        @Override
        protected KindEdit<Permutation> edit() { return EditKinds.MLP_PERMUTATION.builtIn(); }

        @Override
        protected Map<GateKey, String> settings() {
            return Map.of(GateKey.MODEL, "fixture:tiny-gpt2", GateKey.TRIES, "10", GateKey.SEED, "3", GateKey.REPORT, "target/editgate-kind-contract-good");
        }
    }

    /** A lab's MLP permutation that forgets the output projection. */
    static class OneSidedNeuronContract extends EditKindContract<Permutation> {
        @Override
        protected EditKind<Permutation> kind() { return EditKinds.MLP_PERMUTATION; }

        @Override
        protected KindEdit<Permutation> edit() { return Mutant.MLP_OUT_NOT_PERMUTED.kindEdit(); }

        @Override
        protected Map<GateKey, String> settings() {
            return Map.of(GateKey.TRIES, "20", GateKey.SEED, "7", GateKey.REPORT, "target/editgate-kind-contract-bad");
        }
    }

    @Test
    void aCorrectEditPassesEveryStageIncludingNeuronAblation() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(GoodNeuronContract.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(4).succeeded(4).aborted(0).failed(0));
    }

    /** A correct residual permutation: the behavioural stage does not apply and is reported as skipped with why. */
    static class GoodResidualContract extends EditKindContract<Permutation> {
        @Override
        protected EditKind<Permutation> kind() { return EditKinds.RESIDUAL_PERMUTATION; }

        @Override
        protected KindEdit<Permutation> edit() { return EditKinds.RESIDUAL_PERMUTATION.builtIn(); }

        @Override
        protected Map<GateKey, String> settings() {
            return Map.of(GateKey.TRIES, "5", GateKey.SEED, "3", GateKey.REPORT, "target/editgate-kind-contract-residual");
        }
    }

    @Test
    void aKindWithoutBehaviouralProbesSkipsThatStageWithTheReason() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(GoodResidualContract.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(4).succeeded(3).aborted(1).failed(0));
        String reason = tests.aborted().list().get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getMessage();
        assertThat(reason).startsWith("Assumption failed: not applicable to residual-permutation");
    }

    @Test
    void aOneSidedEditFailsStructuralWithItsMinimalCounterexample() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(OneSidedNeuronContract.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(4).failed(1).aborted(3).succeeded(0));
        String message = tests.failed().list().get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getMessage();
        assertThat(message).contains("minimal counterexample: (0 1)").contains("new neuron i = old neuron p[i]")
                .contains("was left as it was while the other blocks were edited by (0 1)").contains("rerun: mvn test -Dtest=OneSidedNeuronContract");
    }
}
