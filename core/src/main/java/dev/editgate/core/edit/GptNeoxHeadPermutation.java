package dev.editgate.core.edit;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.config.GptNeoxConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The correct head permutation of one GPT-NeoX layer: <b>new head i = old head π(i)</b>.
 *
 * <p>GPT-NeoX's fused {@code query_key_value} rows are laid out {@code [heads, 3 (q,k,v), head_dim]}, so
 * head h owns the contiguous rows {@code h*3*hd .. (h+1)*3*hd-1} of the weight {@code [3*hidden, hidden]}
 * and of the bias {@code [3*hidden]}; heads are merged {@code [B,T,heads,hd] -> [B,T,hidden]} before
 * {@code dense}, so head h owns columns {@code h*hd .. (h+1)*hd-1} of {@code dense.weight [hidden, hidden]}.
 * The permutation moves exactly those blocks; {@code dense.bias} and every other tensor are shared as is.
 */
public final class GptNeoxHeadPermutation implements HeadPermutationEdit {
    public static final GptNeoxHeadPermutation INSTANCE = new GptNeoxHeadPermutation();

    /** The tensors a head permutation of {@code layer} may change. */
    public static Set<String> touchedTensors(int layer) {
        return Set.of(GptNeoxNames.qkvWeight(layer), GptNeoxNames.qkvBias(layer), GptNeoxNames.denseWeight(layer));
    }

    @Override
    public Checkpoint permuteHeads(Checkpoint original, int layer, Permutation perm) {
        GptNeoxConfig c = original.config();
        checkArguments(c, layer, perm);
        int heads = c.numAttentionHeads();
        Map<String, dev.editgate.core.safetensors.Tensor> changed = new LinkedHashMap<>();
        changed.put(GptNeoxNames.qkvWeight(layer),
                TensorBlocks.permuteRowBlocks(original.tensor(GptNeoxNames.qkvWeight(layer)), heads, perm));
        changed.put(GptNeoxNames.qkvBias(layer),
                TensorBlocks.permuteRowBlocks(original.tensor(GptNeoxNames.qkvBias(layer)), heads, perm));
        changed.put(GptNeoxNames.denseWeight(layer),
                TensorBlocks.permuteColumnBlocks(original.tensor(GptNeoxNames.denseWeight(layer)), heads, perm));
        return original.withTensors(changed);
    }

    /** Validates layer and permutation size against the config; messages name the flag. */
    public static void checkArguments(GptNeoxConfig c, int layer, Permutation perm) {
        if (layer < 0 || layer >= c.numHiddenLayers()) {
            throw new IllegalArgumentException("--layer " + layer + " is out of range: the model has "
                    + c.numHiddenLayers() + " layers (0.." + (c.numHiddenLayers() - 1) + ")");
        }
        if (perm.size() != c.numAttentionHeads()) {
            throw new IllegalArgumentException("--perm " + perm.toImageString() + " has " + perm.size()
                    + " entries; the model has " + c.numAttentionHeads() + " heads per layer");
        }
    }
}
