package dev.editgate.gate.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.editgate.core.contract.ContractEdit;
import dev.editgate.core.contract.HeadPruningEdit;
import dev.editgate.fixtures.mutants.ContractMutant;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The JUnit entry point: a lab's class extending {@link EditContract} passes on a correct edit and fails, naming the clause, on a wrong one. */
class EditContractTest {
    static final Map<String, String> PRUNING = Map.of(
            "edit.params", "{\"layer\": 1, \"head\": 2}",
            "tensors.allowed", "gpt_neox.layers.*.attention.dense.weight",
            "max-rank", "8", "max-relative-norm", "0.8",
            "preservation.metric", "kl", "preservation.bound", "0.3", "preservation.tries", "40", "preservation.seed", "5");

    static final Map<String, String> KNOWLEDGE = Map.of(
            "edit.params", "{\"layer\": 1}",
            "tensors.allowed", "gpt_neox.layers.1.mlp.dense_4h_to_h.weight",
            "max-rank", "1", "max-relative-norm", "1.5",
            "effect", "My favourite colour is => #120",
            "preservation.bound", "0.02", "preservation.tries", "40", "preservation.seed", "5");

    /** A lab's correct pruning edit. */
    public static class PruningIT extends EditContract {
        @Override protected ContractEdit edit() { return new HeadPruningEdit(); }
        @Override protected Path contractFile() { return null; }
        @Override protected String model() { return "fixture:tiny"; }
        @Override protected Map<String, String> settings() { return PRUNING; }
    }

    /** A lab's knowledge edit that writes 100× too much. */
    public static class TooLargeIT extends EditContract {
        @Override protected ContractEdit edit() { return ContractMutant.NORM_100X; }
        @Override protected Path contractFile() { return null; }
        @Override protected String model() { return "fixture:tiny"; }
        @Override protected Map<String, String> settings() { return KNOWLEDGE; }
    }

    static Events run(Class<?> c) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(c)).execute().testEvents();
    }

    @Test
    void correctEditPassesEveryClause() {
        Events tests = run(PruningIT.class);
        assertThat(tests.failed().count()).as(tests.failed().list().toString()).isZero();
        assertThat(tests.succeeded().count()).isGreaterThanOrEqualTo(7);
    }

    @Test
    void wrongEditFailsTheClauseThatNamesItsBug() {
        Events tests = run(TooLargeIT.class);
        assertThat(tests.failed().list()).anySatisfy(e -> assertThat(e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .orElseThrow().getThrowable().orElseThrow().getMessage())
                .startsWith("relative size of ΔW failed: gpt_neox.layers.1.mlp.dense_4h_to_h.weight: ‖ΔW‖/‖W‖ = "));
    }
}
