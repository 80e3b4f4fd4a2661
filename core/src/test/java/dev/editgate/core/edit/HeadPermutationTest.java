package dev.editgate.core.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.checkpoint.TestCheckpoints;
import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.structure.BitExactComparison;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import dev.editgate.core.structure.Locality;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class HeadPermutationTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32", "F16", "BF16"})
    void permuteThenInverseIsBitExactOnEveryTensor(DType dtype) {
        GptNeoxConfig c = TestCheckpoints.config(dtype);
        Checkpoint original = TestCheckpoints.random(c, dtype, 1);
        SplittableRandom rng = new SplittableRandom(5);
        for (int t = 0; t < 20; t++) {
            Permutation p = PermutationTest.random(c.numAttentionHeads(), rng);
            int layer = rng.nextInt(c.numHiddenLayers());
            Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, layer, p);
            Checkpoint back = BuiltInHeadPermutation.INSTANCE.permuteHeads(edited, layer, p.inverse());
            assertThat(BitExactComparison.compare(original.tensors(), back.tensors()).identical()).as(p.toString()).isTrue();
            // and two edits compose as π.andThen(σ)
            Permutation s = PermutationTest.random(c.numAttentionHeads(), rng);
            Checkpoint twice = BuiltInHeadPermutation.INSTANCE.permuteHeads(edited, layer, s);
            Checkpoint once = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, layer, p.andThen(s));
            assertThat(BitExactComparison.compare(once.tensors(), twice.tensors()).identical()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32", "F16", "BF16"})
    void identityGivesBitIdenticalTensors(DType dtype) {
        GptNeoxConfig c = TestCheckpoints.config(dtype);
        Checkpoint original = TestCheckpoints.random(c, dtype, 2);
        Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 0, Permutation.identity(6));
        BitExactComparison.Result r = BitExactComparison.compare(original.tensors(), edited.tensors());
        assertThat(r.identical()).as(r.differences().toString()).isTrue();
        assertThat(HeadBlockCorrespondence.compute(original, edited, 0).impliedPermutation()).contains(Permutation.identity(6));
    }

    @Test
    void localityHoldsAndUntouchedTensorsAreShared() {
        GptNeoxConfig c = TestCheckpoints.config(DType.F32);
        Checkpoint original = TestCheckpoints.random(c, DType.F32, 3);
        Permutation p = Permutation.parse("(0 1 2)", 6);
        Checkpoint edited = new HeadPermutation(1, p).apply(original);
        Locality.Result loc = Locality.check(original, edited, BuiltInHeadPermutation.touchedTensors(original, 1));
        assertThat(loc.holds()).isTrue();
        assertThat(loc.changed()).containsExactlyInAnyOrderElementsOf(BuiltInHeadPermutation.touchedTensors(original, 1));
        assertThat(Locality.check(original, edited, BuiltInHeadPermutation.touchedTensors(original, 0)).violations())
                .containsExactlyInAnyOrderElementsOf(BuiltInHeadPermutation.touchedTensors(original, 1));
        for (String name : original.names()) {
            if (!BuiltInHeadPermutation.touchedTensors(original, 1).contains(name)) {
                assertThat(edited.tensor(name)).as(name).isSameAs(original.tensor(name));
                assertThat(edited.tensor(name).data().isDirect()).isTrue();
            }
        }
        assertThat(edited.tensor(GptNeoxNames.denseBias(1))).isSameAs(original.tensor(GptNeoxNames.denseBias(1)));
        assertThat(edited.names()).containsExactlyElementsOf(original.names()); // order kept
        assertThat(edited.config()).isEqualTo(original.config());
        HeadBlockCorrespondence hb = HeadBlockCorrespondence.compute(original, edited, 1);
        assertThat(hb.consistentWith(p)).isTrue();
        assertThat(hb.impliedPermutation()).contains(p);
    }

    @Test
    void neverMutatesItsInput() {
        GptNeoxConfig c = TestCheckpoints.config(DType.F16);
        Checkpoint original = TestCheckpoints.random(c, DType.F16, 4);
        Checkpoint snapshot = TestCheckpoints.random(c, DType.F16, 4);
        BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 0, Permutation.parse("(0 5)(1 2 3)", 6));
        assertThat(BitExactComparison.compare(snapshot.tensors(), original.tensors()).identical()).isTrue();
        assertThat(original.tensor(GptNeoxNames.qkvWeight(0)).data().isReadOnly()).isTrue();
    }

    @Test
    void boundEditDescribesItself() {
        WeightEdit e = BuiltInHeadPermutation.INSTANCE.bind(0, Permutation.parse("(0 1)", 6));
        assertThat(e.describe()).isEqualTo("permute heads of layer 0 by (0 1)");
        assertThat(new HeadPermutation(3, Permutation.parse("(1 2 3)", 6)).describe()).isEqualTo("permute heads of layer 3 by (1 2 3)");
    }

    @Test
    void rejectsLayerOutOfRangeAndWrongPermutationSize() {
        GptNeoxConfig c = TestCheckpoints.config(DType.F32);
        Checkpoint original = TestCheckpoints.random(c, DType.F32, 5);
        assertThatThrownBy(() -> BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 2, Permutation.identity(6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--layer 2 is out of range").hasMessageContaining("2 layers (0..1)");
        assertThatThrownBy(() -> BuiltInHeadPermutation.INSTANCE.permuteHeads(original, -1, Permutation.identity(6)))
                .hasMessageContaining("--layer -1 is out of range");
        assertThatThrownBy(() -> BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 0, Permutation.identity(4)))
                .hasMessageContaining("--perm [0,1,2,3] has 4 entries; the model has 6 heads");
    }

    @Test
    void tensorBlocksRejectMismatchedBlocks() {
        var t = TestCheckpoints.random(TestCheckpoints.config(DType.F32), DType.F32, 6).tensor(GptNeoxNames.denseBias(0));
        assertThatThrownBy(() -> TensorBlocks.permuteRowBlocks(t, 5, Permutation.identity(5)))
                .hasMessageContaining(GptNeoxNames.denseBias(0)).hasMessageContaining("not divisible into 5 blocks");
        assertThatThrownBy(() -> TensorBlocks.permuteColumnBlocks(t, 6, Permutation.identity(6)))
                .hasMessageContaining("need a 2-D tensor");
        assertThatThrownBy(() -> TensorBlocks.permuteRowBlocks(t, 6, Permutation.identity(4)))
                .hasMessageContaining("permutation of 4 points for 6 blocks");
    }
}
