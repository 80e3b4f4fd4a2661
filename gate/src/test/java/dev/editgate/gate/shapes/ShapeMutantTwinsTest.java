package dev.editgate.gate.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.GroupedHeads;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.external.ExternalEditException;
import dev.editgate.core.external.ExternalEditSpec;
import dev.editgate.core.external.ExternalHeadPermutationEdit;
import dev.editgate.core.safetensors.DType;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.fixtures.PythonClient;
import dev.editgate.fixtures.mutants.Mutant;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java and Python twins of the shape-dependent mutants produce bit-identical outputs on generated models, on the
 * shapes where they are right and on those where they are wrong; where the Java twin throws (a missing bias, blocks
 * that do not fit), the Python twin's trial fails; where it adds a tensor (lm_head.weight on a tied model), the
 * external-edit protocol refuses the Python twin's output naming that tensor. Skips without Python and numpy.
 */
class ShapeMutantTwinsTest {

    static Shape llama(int kv, int group, int headDim, int mode, boolean bias, boolean tied, DType dtype) {
        return new Shape("llama", 2, kv, group, headDim, mode, 2, 1.0, bias, tied, false, dtype, 5);
    }

    static Stream<Arguments> cases() {
        Shape neoxBias = new Shape("gpt_neox", 2, 4, 1, 8, 0, 2, 0.25, true, false, true, DType.F16, 5);
        Shape neoxNoBias = new Shape("gpt_neox", 2, 4, 1, 8, 0, 2, 0.25, false, false, false, DType.F32, 5);
        Shape gpt2Tied = new Shape("gpt2", 2, 3, 1, 4, 0, 1, 1.0, true, true, false, DType.BF16, 5);
        Shape gpt2Untied = new Shape("gpt2", 2, 3, 1, 4, 0, 1, 1.0, true, false, false, DType.F32, 5);
        return Stream.of(
                Arguments.of(Mutant.HARD_CODED_GROUP_SIZE, llama(2, 3, 4, 0, false, false, DType.F32)),
                Arguments.of(Mutant.HARD_CODED_GROUP_SIZE, llama(2, 4, 4, 0, true, false, DType.BF16)),
                Arguments.of(Mutant.HEAD_DIM_FROM_HIDDEN, llama(2, 2, 8, 0, true, false, DType.F32)),
                Arguments.of(Mutant.HEAD_DIM_FROM_HIDDEN, llama(2, 2, 8, 1, false, false, DType.F32)),
                Arguments.of(Mutant.HEAD_DIM_FROM_HIDDEN, llama(2, 2, 8, 2, true, true, DType.F16)),
                Arguments.of(Mutant.BIAS_ASSUMED_PRESENT, llama(2, 2, 4, 0, true, false, DType.F32)),
                Arguments.of(Mutant.BIAS_ASSUMED_PRESENT, llama(2, 2, 4, 0, false, false, DType.F32)),
                Arguments.of(Mutant.BIAS_ASSUMED_PRESENT, neoxBias),
                Arguments.of(Mutant.BIAS_ASSUMED_PRESENT, neoxNoBias),
                Arguments.of(Mutant.TIED_EMBEDDINGS_WRITTEN_TWICE, llama(1, 2, 4, 0, false, true, DType.F32)),
                Arguments.of(Mutant.TIED_EMBEDDINGS_WRITTEN_TWICE, llama(1, 2, 4, 0, false, false, DType.F16)),
                Arguments.of(Mutant.TIED_EMBEDDINGS_WRITTEN_TWICE, gpt2Tied),
                Arguments.of(Mutant.TIED_EMBEDDINGS_WRITTEN_TWICE, gpt2Untied));
    }

    /** The identity, the reversal, and two random permutations that keep KV groups together. */
    static List<Permutation> permutations(Shape s) {
        int heads = s.heads();
        LinkedHashSet<Permutation> out = new LinkedHashSet<>();
        out.add(Permutation.identity(heads));
        int[] reverse = new int[heads];
        for (int i = 0; i < heads; i++) reverse[i] = heads - 1 - i;
        out.add(Permutation.of(reverse));
        Random random = new Random(42);
        for (int k = 0; k < 2; k++) out.add(GroupedHeads.random(heads, s.groupSize(), random));
        return new ArrayList<>(out);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void pythonTwinEqualsJavaTwinOnAGeneratedModel(Mutant m, Shape shape, @TempDir Path tmp) {
        Assumptions.assumeTrue(PythonClient.get().available(), () -> PythonClient.get().unavailableReason());
        Path folder = tmp.resolve("model");
        Fixtures.write(shape.fixture(), folder);
        Checkpoint original = Checkpoint.load(folder);
        Path python = PythonClient.sourceFolder();
        var spec = new ExternalEditSpec(List.of(PythonClient.get().executable(), "mutants/mutant_worker.py", "--mutant", m.pythonName()),
                ExternalEditSpec.Mode.WORKER, Duration.ofSeconds(60), python);
        int compared = 0;
        try (var edit = ExternalHeadPermutationEdit.of(spec, folder)) {
            for (Permutation p : permutations(shape)) {
                Checkpoint expected;
                try {
                    expected = m.edit().permuteHeads(original, 0, p);
                } catch (IllegalArgumentException refused) {
                    assertThatThrownBy(() -> edit.permuteHeads(original, 0, p)).as(m + " " + p + ": Java threw " + refused.getMessage())
                            .isInstanceOf(ExternalEditException.class);
                    continue;
                }
                var added = expected.names().stream().filter(n -> !original.has(n)).toList();
                if (!added.isEmpty()) {
                    assertThatThrownBy(() -> edit.permuteHeads(original, 0, p)).isInstanceOf(ExternalEditException.class)
                            .hasMessageContaining("has unknown tensor '" + added.get(0) + "'");
                    continue;
                }
                Checkpoint got = edit.permuteHeads(original, 0, p);
                assertThat(got.names()).isEqualTo(expected.names());
                for (String n : expected.names()) assertThat(got.tensor(n).bitEquals(expected.tensor(n))).as(m + " " + p + " " + n).isTrue();
                compared++;
            }
        }
        System.out.println(m.pythonName() + " on " + shape.summary() + ": " + compared + " outputs bit-identical");
    }
}
