package org.example.lab;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * The lab's own head permutation, written against GPT-NeoX's layout: query_key_value rows are
 * [heads, 3, head_dim] (so head h owns rows h*3*D .. (h+1)*3*D), dense columns are [heads, head_dim].
 * New head i = old head perm(i).
 */
public class LabHeadPermutation implements HeadPermutationEdit {
    @Override
    public Checkpoint permuteHeads(Checkpoint original, int layer, Permutation perm) {
        String prefix = "gpt_neox.layers." + layer + ".attention.";
        int heads = original.config().numAttentionHeads();
        Tensor w = original.tensor(prefix + "query_key_value.weight");
        Tensor d = original.tensor(prefix + "dense.weight");
        Map<String, Tensor> edited = new HashMap<>();
        edited.put(w.name(), qkvRows(w, heads, perm));
        edited.put(d.name(), columns(d, heads, perm));
        String bias = prefix + "query_key_value.bias";
        if (original.has(bias)) { // absent when config.json says attention_bias: false
            edited.put(bias, qkvRows(original.tensor(bias), heads, perm));
        }
        return original.withTensors(edited);
    }

    /** Moves the fused QKV rows (weight or bias) of head perm(i) to head i. */
    protected Tensor qkvRows(Tensor t, int heads, Permutation perm) {
        return rows(t, heads, perm);
    }

    /** Moves row block perm(i) of {@code t} (heads blocks along dim 0) to position i. */
    static Tensor rows(Tensor t, int heads, Permutation perm) {
        ByteBuffer src = t.data();
        int block = src.remaining() / heads;
        ByteBuffer out = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < heads; i++) {
            out.put(i * block, src, perm.apply(i) * block, block);
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }

    /** Moves column block perm(i) of the 2-d {@code t} to position i, row by row. */
    static Tensor columns(Tensor t, int heads, Permutation perm) {
        ByteBuffer src = t.data();
        int rowBytes = src.remaining() / t.dim(0);
        int block = rowBytes / heads;
        ByteBuffer out = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < t.dim(0); r++) {
            for (int i = 0; i < heads; i++) {
                out.put(r * rowBytes + i * block, src, r * rowBytes + perm.apply(i) * block, block);
            }
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }
}
