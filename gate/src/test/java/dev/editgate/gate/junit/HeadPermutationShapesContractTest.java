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
import org.junit.platform.testkit.engine.Events;

/** The shapes contract through the JUnit platform: one test per family; a shape-dependent bug fails its family with the minimal config. */
class HeadPermutationShapesContractTest {

    /** A lab's edit with a hard-coded group size, checked on Llama and GPT-2 shapes. Not named *Test/*IT. */
    static class HardCodedGroupContract extends HeadPermutationShapesContract {
        @Override
        protected HeadPermutationEdit edit() {
            return Mutant.HARD_CODED_GROUP_SIZE.edit();
        }

        @Override
        protected List<String> families() {
            return List.of("llama");
        }

        @Override
        protected Map<GateKey, String> settings() {
            return Map.of(GateKey.SHAPES, "30", GateKey.SEED, "7", GateKey.REPORT, "target/editgate-shapes-contract-test");
        }
    }

    /** The built-in edit on two families. */
    static class BuiltInContract extends HeadPermutationShapesContract {
        @Override
        protected HeadPermutationEdit edit() {
            return dev.editgate.core.edit.BuiltInHeadPermutation.INSTANCE;
        }

        @Override
        protected List<String> families() {
            return List.of("qwen2", "gpt2");
        }

        @Override
        protected Map<GateKey, String> settings() {
            return Map.of(GateKey.SHAPES, "5", GateKey.SEED, "7", GateKey.REPORT, "target/editgate-shapes-contract-test-builtin");
        }
    }

    @Test
    void aShapeDependentBugFailsItsFamilyWithTheMinimalConfigAndTheNearestPassingOne() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(HardCodedGroupContract.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(1).failed(1));
        String message = tests.failed().list().get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getMessage();
        assertThat(message)
                .contains("minimal failing config: llama: 1 layer, 2 heads / 2 KV heads (group 1)")
                .contains("nearest passing config: llama: 1 layer, 8 heads / 2 KV heads (group 4)")
                .contains("diagnosis: fails whenever heads/kv_heads is not 4 and there are several KV heads")
                .contains("minimal counterexample: (0 1)")
                .contains("rerun: mvn test -Dtest=HardCodedGroupContract -Deditgate.seed=7");
    }

    @Test
    void theBuiltInEditPassesEveryFamilyItIsGiven() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(BuiltInContract.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertThat(tests.succeeded().list()).extracting(e -> e.getTestDescriptor().getDisplayName()).containsExactly("shapes:qwen2", "shapes:gpt2");
    }
}
