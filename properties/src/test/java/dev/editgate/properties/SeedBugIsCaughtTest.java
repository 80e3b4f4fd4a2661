package dev.editgate.properties;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.edit.TensorBlocks;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The block-correspondence property, pointed at the seed's bug (QKV rows read as
 * {@code [3, heads, hd]} instead of GPT-NeoX's {@code [heads, 3, hd]}), fails and shrinks both the
 * target and the permutation to the simplest case: F32, layer 0, the transposition (0 1).
 */
class SeedBugIsCaughtTest {

    /** Permutes QKV rows as if they were laid out q-block, k-block, v-block (the seed's reshape). */
    private static final HeadPermutationEdit SEED_BUG = (original, layer, perm) -> {
        int heads = perm.size();
        int[] blocks = new int[3 * heads];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < heads; i++) blocks[c * heads + i] = c * heads + perm.apply(i);
        }
        Permutation rows = Permutation.of(blocks);
        return original.withTensors(Map.of(
                GptNeoxNames.qkvWeight(layer), TensorBlocks.permuteRowBlocks(original.tensor(GptNeoxNames.qkvWeight(layer)), 3 * heads, rows),
                GptNeoxNames.qkvBias(layer), TensorBlocks.permuteRowBlocks(original.tensor(GptNeoxNames.qkvBias(layer)), 3 * heads, rows),
                GptNeoxNames.denseWeight(layer), TensorBlocks.permuteColumnBlocks(original.tensor(GptNeoxNames.denseWeight(layer)), heads, perm)));
    };

    private record Case(EditTarget target, Permutation perm) {
        @Override
        public String toString() {
            return target + ", π = " + perm.toCycleString();
        }
    }

    @Test
    void theSeedsReshapeBugShrinksToATranspositionOnTheSimplestTarget() {
        for (long seed = 0; seed < 5; seed++) {
            PropertyResult<Case> r = Property.forAll("seed bug", Gens.combine(EditTarget.gen(), Gens.permutations(EditTarget.HEADS), Case::new))
                    .seed(seed).edgeCases(List.of()).database(FailureDatabase.none())
                    .checkThat(c -> {
                        Checkpoint original = c.target().checkpoint();
                        Checkpoint edited = SEED_BUG.permuteHeads(original, c.target().layer(), c.perm());
                        return HeadBlockCorrespondence.compute(original, edited, c.target().layer()).consistentWith(c.perm());
                    });
            assertThat(r.passed()).as("seed %d: the bug must be found", seed).isFalse();
            assertThat(r.shrunk().orElseThrow()).as("seed %d", seed)
                    .isEqualTo(new Case(EditTarget.all().get(0), Permutation.parse("(0 1)", EditTarget.HEADS)));
        }
    }
}
