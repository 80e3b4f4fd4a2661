package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.fixtures.mutants.Mutant;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every mutant of the non-head edit kinds is rejected at the structural stage, with its minimal counterexample and a
 * diagnosis that names the mistake; the table printed here is the one in the note.
 */
class KindMutantsTest {

    static Stream<Arguments> mutants() {
        return Stream.of(
                Arguments.of(Mutant.MLP_OUT_NOT_PERMUTED, "tiny", "(0 1)", "dense_4h_to_h (gpt_neox.layers.1.mlp.dense_4h_to_h.weight) was left as it was"),
                Arguments.of(Mutant.MLP_OUT_NOT_PERMUTED, "tiny-gpt2", "(0 1)", "mlp.c_proj (h.1.mlp.c_proj.weight) was left as it was"),
                Arguments.of(Mutant.SWIGLU_GATE_WITHOUT_UP, "tiny-llama", "(0 1)", "up_proj (model.layers.1.mlp.up_proj.weight) was left as it was"),
                Arguments.of(Mutant.MLP_INVERSE_ON_OUT, "tiny-llama", "(0 1 2)", "down_proj (model.layers.1.mlp.down_proj.weight) was edited by the inverse"),
                Arguments.of(Mutant.MLP_INVERSE_ON_OUT, "tiny-gpt2", "(0 1 2)", "edited by the inverse ((0 2 1))"),
                Arguments.of(Mutant.RESIDUAL_FINAL_NORM_FORGOTTEN, "tiny", "(0 1)", "final norm weight (gpt_neox.final_layer_norm.weight) and final norm bias (gpt_neox.final_layer_norm.bias) were left as they were"),
                Arguments.of(Mutant.RESIDUAL_FINAL_NORM_FORGOTTEN, "tiny-qwen2", "(0 1)", "final norm weight (model.norm.weight) was left as it was"),
                Arguments.of(Mutant.RESIDUAL_POSITIONS_FORGOTTEN, "tiny-gpt2", "(0 1)", "position embed (wpe.weight) was left as it was"),
                Arguments.of(Mutant.RESIDUAL_INVERSE_ON_READS, "tiny", "(0 1 2)", "edited by the inverse ((0 2 1))"),
                Arguments.of(Mutant.RESIDUAL_INVERSE_ON_READS, "tiny-llama", "(0 1 2)", "10 tensors, q weight 0 (model.layers.0.self_attn.q_proj.weight), k weight 0, v weight 0, mlp gate weight 0, mlp up weight 0, q weight 1, k weight 1, v weight 1, mlp gate weight 1, mlp up weight 1, were edited by the inverse ((0 2 1))"),
                Arguments.of(Mutant.QK_SCALING_ON_K_NOT_Q, "tiny", "exponents [1,0,0,0,0,0]", "a factor and its inverse went onto the same block and cancelled"),
                Arguments.of(Mutant.QK_SCALING_ON_K_NOT_Q, "tiny-qwen2", "exponents [1,1,1,0,0,0]", "a factor and its inverse went onto the same block and cancelled"),
                Arguments.of(Mutant.VO_SCALING_ON_V_NOT_O, "tiny-gpt2", "exponents [1,0,0,0,0,0]", "a factor and its inverse went onto the same block and cancelled"),
                Arguments.of(Mutant.VO_SCALING_ON_V_NOT_O, "tiny-llama", "exponents [1,1,1,1,0,0,0,0]", "a factor and its inverse went onto the same block and cancelled"),
                Arguments.of(Mutant.GQA_SCALING_PER_QUERY_HEAD, "tiny-llama", "exponents [1,1,1,1,0,0,0,0]",
                        "k_proj (model.layers.1.self_attn.k_proj.weight): KV head j carries the factor of query head j"),
                Arguments.of(Mutant.GQA_SCALING_PER_QUERY_HEAD, "tiny-mistral", "exponents [1,1,0,0,0,0]",
                        "KV head j carries the factor of query head j"));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("mutants")
    void everyKindMutantIsRejectedAtTheStructuralStage(Mutant mutant, String fixture, String minimal, String diagnosis, @TempDir Path tmp) {
        long t0 = System.nanoTime();
        GateReport r = new Gate(GateTestSupport.config(tmp.resolve("report"), 20261204L, 60,
                Map.of(GateKey.MODEL, "fixture:" + fixture, GateKey.EDIT_KIND, mutant.kind(), GateKey.EDIT, "mutant:" + mutant.pythonName())),
                GateListener.NONE).run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        StageReport failed = GateTestSupport.firstFailedStage(r).orElseThrow();
        assertThat(failed.name()).isEqualTo("structural");
        PropertyReport reference = failed.properties().stream().filter(p -> p.name().endsWith("blocks equal the reference action"))
                .findFirst().orElseThrow();
        assertThat(reference.status()).isEqualTo(PropertyReport.Status.FAILED);
        System.out.printf("| %s | %s | %s | `%s` | %s | %.1f s |%n", mutant.name(), fixture, mutant.kind(), reference.counterexample().shrunkCycles(),
                reference.diagnosis().replace("\n", " / "), seconds);
        assertThat(reference.counterexample().shrunkCycles()).as("minimal counterexample").isEqualTo(minimal);
        assertThat(reference.failureMessage()).contains("should be").contains(", is ");
        assertThat(reference.diagnosis()).contains(diagnosis);
        assertThat(mutant.kind()).isNotEqualTo(EditKinds.HEAD_PERMUTATION.name());
    }
}
