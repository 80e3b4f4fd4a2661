package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.safetensors.DType;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.fixtures.mutants.Mutant;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gate on every catalogued mutant (Java): each is rejected at the structural stage, the earliest able to
 * see it, with the smallest permutation the bug shows on and a diagnosis in the researcher's terms. The
 * diagnosis comes from matching tensors against layouts, never from the mutant's name.
 */
class GateRejectsMutantsTest {
    static Stream<Arguments> mutants() {
        return Stream.of(
                Arguments.of(Mutant.SEED_COMPONENT_MAJOR_QKV, "(0 1)", "QKV rows were permuted as if laid out [3, heads, head_dim]; GPT-NeoX stores [heads, 3, head_dim]"),
                Arguments.of(Mutant.INVERSE_ON_DENSE, "(0 1 2)", "dense was permuted by the inverse π⁻¹ while QKV used π"),
                Arguments.of(Mutant.SCATTER_CONVENTION, "(0 1 2)", "the edit uses the other convention"),
                Arguments.of(Mutant.DENSE_ROWS, "(0 1)", "dense rows were permuted instead of columns"),
                Arguments.of(Mutant.QKV_BIAS_NOT_PERMUTED, "(0 1)", "QKV bias was not permuted"),
                Arguments.of(Mutant.ONLY_Q_AND_K, "(0 1)", "value blocks were not moved (only q and k)"),
                Arguments.of(Mutant.BLOCK_SIZE_TWO_HEAD_DIM, "(0 1)", "block size looks like 16 rows instead of 3·head_dim = 24"),
                Arguments.of(Mutant.MUTATES_INPUT, "()", "edit modified its input"),
                Arguments.of(Mutant.ROUNDS_THROUGH_FP16, "()", "values changed"),
                Arguments.of(Mutant.HIGH_HEADS_IGNORED, "(0 4)", "only new heads 0..3 were moved"),
                Arguments.of(Mutant.ALSO_NEXT_LAYER, "(0 1)", "outside layer 1 changed"),
                Arguments.of(Mutant.DENSE_BIAS_PERMUTED, "(0 1)", "dense.bias changed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    void everyMutantIsRejectedAtTheStructuralStageWithItsMinimalPermutation(Mutant mutant, String minimal, String explanation,
                                                                           @TempDir Path tmp)
            throws IOException {
        Path model = privateCopy(Fixtures.tiny(DType.F32), tmp.resolve("model"));
        GateReport r = new Gate(GateTestSupport.config(tmp.resolve("report"), 20261124L, 60, Map.of(GateKey.MODEL, model.toString())),
                GateListener.NONE).run(mutant.edit(), "mutant " + mutant.pythonName());

        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        StageReport failed = GateTestSupport.firstFailedStage(r).orElseThrow();
        assertThat(failed.name()).isEqualTo("structural");
        assertThat(r.stages().subList(1, 4)).allMatch(s -> s.status() == StageReport.Status.SKIPPED);
        assertThat(GateTestSupport.minimalCycles(failed)).as("minimal counterexample").isEqualTo(minimal);
        String told = GateTestSupport.failureText(failed);
        assertThat(told).contains(explanation);
    }

    /**
     * The same mutants as Python workers, run through the external-edit protocol exactly as a lab's code is:
     * {@code --edit "command:python3 python/mutants/mutant_worker.py --mutant NAME" --edit-mode worker}.
     */
    @ParameterizedTest(name = "python {0}")
    @MethodSource("mutants")
    void everyPythonWorkerMutantIsRejectedTheSameWay(Mutant mutant, String minimal, String explanation, @TempDir Path tmp)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(pythonWithNumpy(), () -> dev.editgate.fixtures.PythonClient.get().unavailableReason());
        Path model = privateCopy(Fixtures.tiny(DType.F32), tmp.resolve("model"));
        Path worker = Path.of("..", "python", "mutants", "mutant_worker.py").toAbsolutePath().normalize();
        var config = GateTestSupport.config(tmp.resolve("report"), 20261124L, 60, Map.of(
                GateKey.MODEL, model.toString(),
                GateKey.EDIT, "command:" + dev.editgate.fixtures.PythonClient.get().executable() + " " + worker + " --mutant " + mutant.pythonName(),
                GateKey.EDIT_MODE, "worker"));
        GateReport r = new Gate(config, GateListener.NONE).run();

        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        StageReport failed = GateTestSupport.firstFailedStage(r).orElseThrow();
        assertThat(failed.name()).isEqualTo("structural");
        assertThat(GateTestSupport.minimalCycles(failed)).as("minimal counterexample").isEqualTo(minimal);
        String told = GateTestSupport.failureText(failed);
        boolean sandboxed = mutant == Mutant.MUTATES_INPUT && dev.editgate.core.external.Sandbox.current().isolates();
        assertThat(told).contains(sandboxed ? "the edit tried to write into its input" : explanation); // a sandbox stops the write itself
    }

    static boolean pythonWithNumpy() {
        return dev.editgate.fixtures.PythonClient.get().available();
    }

    /** The mutant that writes over its input must not destroy the shared fixture: give it a copy. */
    static Path privateCopy(Path folder, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) Files.copy(f, target.resolve(f.getFileName()));
        }
        return target;
    }
}
