package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.fixtures.Fixtures;
import org.junit.jupiter.api.Test;

/** A kept edit is the same checkpoint bit for bit, its own tensors moved off the heap, the input's still shared. */
class EditResultCacheTest {
    final Checkpoint original = Checkpoint.load(Fixtures.materialize(FixtureSpec.tiny(DType.F16)));
    final Permutation p = Permutation.parse("(0 1 2)", original.config().numAttentionHeads());
    final Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 1, p);

    @Test
    void keptEditsAreTheSameBitsOffTheHeapAndShareTheInputsTensors() {
        EditResultCache cache = new EditResultCache();
        Checkpoint kept = cache.put(original, p, edited);
        assertThat(cache.get(original, p)).containsSame(kept);
        assertThat(cache.put(original, p, BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 1, p))).as("the earlier one stays").isSameAs(kept);
        assertThat(kept.names()).containsExactlyElementsOf(original.names());
        int moved = 0;
        for (String name : original.names()) {
            Tensor k = kept.tensor(name), e = edited.tensor(name);
            assertThat(k).as(name).isEqualTo(e);                               // name, dtype, shape and every byte
            if (e == original.tensor(name)) {
                assertThat(k).as(name).isSameAs(original.tensor(name));
            } else {
                assertThat(e.data().isDirect()).as("the gather's result is on the heap").isFalse();
                assertThat(k.data().isDirect()).as(name).isTrue();
                moved++;
            }
        }
        assertThat(moved).isEqualTo(BuiltInHeadPermutation.touchedTensors(original, 1).size()); // QKV weight and bias, dense weight
        assertThat(EditResultCache.producedBytes(original, kept)).isEqualTo(EditResultCache.producedBytes(original, edited));
    }

    @Test
    void anEditWithNothingOnTheHeapIsKeptAsItIs() {
        Checkpoint direct = EditResultCache.offHeap(original, edited);
        assertThat(EditResultCache.offHeap(original, direct)).isSameAs(direct);
        assertThat(EditResultCache.offHeap(original, original)).isSameAs(original);
    }
}
