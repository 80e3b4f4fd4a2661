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
                Arguments.of(Mutant.SEED_QKV_LAYOUT, "QKV rows were permuted as if laid out [3, heads, head_dim]; GPT-NeoX stores [heads, 3, head_dim]"),
                Arguments.of(Mutant.INVERSE_ON_DENSE, "dense was permuted by the inverse π⁻¹ while QKV used π"),
                Arguments.of(Mutant.INVERSE_CONVENTION, "it reads the permutation as new head π(i) = old head i"),
                Arguments.of(Mutant.DENSE_ROWS, "dense rows were permuted instead of columns"),
                Arguments.of(Mutant.BIAS_NOT_PERMUTED, "QKV bias was not permuted"),
                Arguments.of(Mutant.ONLY_Q_AND_K, "value blocks were not moved (only q and k)"),
                Arguments.of(Mutant.BLOCK_OFF_BY_HEAD_DIM, "moved in blocks of 2·head_dim"),
                Arguments.of(Mutant.MUTATES_INPUT, "edit modified its input"),
                Arguments.of(Mutant.ROUNDS_THROUGH_FP16, "values changed"),
                Arguments.of(Mutant.ONLY_LOW_HEADS, "only heads below 4 were moved"),
                Arguments.of(Mutant.TOUCHES_OTHER_LAYER, "outside layer 1's attention changed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    void everyMutantIsRejectedAtTheStructuralStageWithItsMinimalPermutation(Mutant mutant, String explanation, @TempDir Path tmp)
            throws IOException {
        Path model = privateCopy(Fixtures.tiny(DType.F32), tmp.resolve("model"));
        GateReport r = new Gate(GateTestSupport.config(tmp.resolve("report"), 20261124L, 60, Map.of(GateKey.MODEL, model.toString())),
                GateListener.NONE).run(mutant.edit(), "mutant " + mutant.pythonName());

        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        StageReport failed = GateTestSupport.firstFailedStage(r).orElseThrow();
        assertThat(failed.name()).isEqualTo("structural");
        assertThat(r.stages().subList(1, 4)).allMatch(s -> s.status() == StageReport.Status.SKIPPED);
        PropertyReport smallest = GateTestSupport.smallestFailure(failed);
        assertThat(smallest.counterexample().shrunkCycles()).as("minimal counterexample").isEqualTo(mutant.expectedMinimal());
        String told = failed.properties().stream().filter(p -> p.status() == PropertyReport.Status.FAILED)
                .map(p -> p.failureMessage() + "\n" + p.diagnosis()).reduce("", String::concat);
        assertThat(told).contains(explanation);
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
