package dev.editgate.core.edit;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.model.HeadView;
import java.util.Set;

/**
 * The correct head permutation of one layer, for every supported family: <b>new head i = old head π(i)</b>.
 *
 * <p>It asks the family's adapter where each head's blocks live ({@link HeadView}) and moves exactly those:
 * the q blocks and o blocks by π, the k and v blocks of grouped-query attention by σ, the permutation of KV
 * heads that π implies ({@link GroupedHeads}). GPT-NeoX: QKV row blocks of 3·head_dim (q, k and v of a head are
 * adjacent) and dense column blocks; Llama: q_proj rows, k_proj/v_proj rows by σ, o_proj columns, biases with
 * their rows; GPT-2: c_attn column blocks in each of the q, k and v thirds, c_proj row blocks. The output bias
 * and every other tensor are shared as they are.
 */
public final class BuiltInHeadPermutation implements HeadPermutationEdit {
    public static final BuiltInHeadPermutation INSTANCE = new BuiltInHeadPermutation();

    /** The tensors a head permutation of {@code layer} may change. */
    public static Set<String> touchedTensors(Checkpoint ck, int layer) {
        return ck.layout().heads(layer).tensors();
    }

    @Override
    public Checkpoint permuteHeads(Checkpoint original, int layer, Permutation perm) {
        HeadView view = checkArguments(original, layer, perm);
        return original.withTensors(BlockMoves.apply(original::tensor, GroupedHeads.moves(view, perm)));
    }

    /**
     * Validates layer, permutation size and (on grouped-query attention) that π keeps KV groups together;
     * messages name the flag. Returns the layer's head view.
     */
    public static HeadView checkArguments(Checkpoint ck, int layer, Permutation perm) {
        HeadView view = ck.layout().heads(layer);
        if (perm.size() != view.heads()) {
            throw new IllegalArgumentException("--perm " + perm.toImageString() + " has " + perm.size()
                    + " entries; the model has " + view.heads() + " heads per layer");
        }
        try {
            GroupedHeads.kvPermutation(perm, view.groupSize());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--perm: " + e.getMessage(), e);
        }
        return view;
    }
}
