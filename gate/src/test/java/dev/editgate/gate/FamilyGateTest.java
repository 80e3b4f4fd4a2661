package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.fixtures.mutants.Mutant;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate on every family: the built-in edit passes on each family's tiny fixture whatever the seed (no false
 * alarm; CI runs {@code editgate.familyRuns} seeds per fixture, default 2; the 100 are
 * {@code -Deditgate.familyRuns=100}), and every family mutant is rejected at the structural stage with its
 * minimal permutation and a diagnosis that names the layout.
 */
class FamilyGateTest {

    static Stream<Named<FixtureSpec>> fixtures() {
        return FixtureSpec.tinyPerFamily().stream().map(s -> Named.of(s.name(), s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theBuiltInEditPassesOnEveryFamily(FixtureSpec spec, @TempDir Path tmp) {
        int runs = Integer.getInteger("editgate.familyRuns", 2);
        List<String> alarms = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int seed = 1; seed <= runs; seed++) {
            GateReport r = new Gate(GateTestSupport.config(tmp.resolve("r" + seed), seed, 20, Map.of(GateKey.MODEL, "fixture:" + spec.name())),
                    GateListener.NONE).run(BuiltInHeadPermutation.INSTANCE, "built-in");
            if (r.verdict() != GateReport.Verdict.PASS) {
                alarms.add("seed " + seed + ": " + r.stages().stream().filter(s -> s.status() != StageReport.Status.PASSED)
                        .map(s -> s.name() + " " + s.reason()).toList());
            }
        }
        System.out.printf("%s: %d gate runs, %d alarms, %.1f s%n", spec.name(), runs, alarms.size(), (System.nanoTime() - t0) / 1e9);
        assertThat(alarms).isEmpty();
    }

    static Stream<Arguments> familyMutants() {
        return Stream.of(
                Arguments.of(Mutant.GPT2_AS_NEOX, "tiny-gpt2", "(0 1)",
                        "c_attn was permuted as if laid out [heads, 3, head_dim] (GPT-NeoX's query_key_value)"),
                Arguments.of(Mutant.GPT2_CONV1D_AXIS, "tiny-gpt2", "(0 1)", "GPT-2's Conv1D stores [in, out]"),
                Arguments.of(Mutant.INVERSE_ON_DENSE, "tiny-gpt2", "(0 1 2)", "c_proj was permuted by the inverse π⁻¹ while c_attn used π"),
                Arguments.of(Mutant.LLAMA_Q_INPUT_AXIS, "tiny-qwen2", "(0 1)", "q_proj was permuted on its input axis (columns)"),
                Arguments.of(Mutant.LLAMA_O_PROJ_ROWS, "tiny-qwen2", "(0 1)", "o_proj rows were permuted instead of columns"),
                Arguments.of(Mutant.QKV_BIASES_NOT_MOVED, "tiny-qwen2", "(0 1)", "q_proj.bias was not permuted (its weight was)"),
                Arguments.of(Mutant.KV_LEFT_IN_PLACE, "tiny-qwen2", "(0 3)(1 4)(2 5)",
                        "were left in place while query heads moved to other KV groups"),
                // group size 4 on 2 groups of 3: moves inside group 0 happen to come out right, the first swap in group 1 does not
                Arguments.of(Mutant.HARD_CODED_GROUP_SIZE, "tiny-qwen2", "(3 4)",
                        "KV heads were moved as if each KV group had 4 query heads (a hard-coded group size); this model has 3"),
                Arguments.of(Mutant.KV_LEFT_IN_PLACE, "tiny-llama", "(0 4)(1 5)(2 6)(3 7)",
                        "were left in place while query heads moved to other KV groups"),
                Arguments.of(Mutant.SCATTER_CONVENTION, "tiny-llama", "(0 1 2)", "the edit uses the other convention"));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("familyMutants")
    void everyFamilyMutantIsRejectedAtTheStructuralStage(Mutant mutant, String fixture, String minimal, String explanation,
                                                         @TempDir Path tmp) {
        GateReport r = new Gate(GateTestSupport.config(tmp.resolve("report"), 20261203L, 60, Map.of(GateKey.MODEL, "fixture:" + fixture)),
                GateListener.NONE).run(mutant.edit(), "mutant " + mutant.pythonName());
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        StageReport failed = GateTestSupport.firstFailedStage(r).orElseThrow();
        assertThat(failed.name()).isEqualTo("structural");
        assertThat(GateTestSupport.minimalCycles(failed)).as("minimal counterexample").isEqualTo(minimal);
        assertThat(GateTestSupport.failureText(failed)).contains(explanation);
    }
}
