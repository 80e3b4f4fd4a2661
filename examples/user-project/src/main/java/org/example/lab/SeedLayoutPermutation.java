package org.example.lab;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * The seed experiment's bug, kept to show what the gate does with it: query_key_value rows are treated as
 * [3, heads, head_dim] (all queries, then all keys, then all values), which is not how GPT-NeoX stores them.
 */
public class SeedLayoutPermutation implements HeadPermutationEdit {
    @Override
    public Checkpoint permuteHeads(Checkpoint original, int layer, Permutation perm) {
        String prefix = "gpt_neox.layers." + layer + ".attention.";
        int heads = original.config().numAttentionHeads();
        Tensor w = original.tensor(prefix + "query_key_value.weight");
        Tensor b = original.tensor(prefix + "query_key_value.bias");
        Tensor d = original.tensor(prefix + "dense.weight");
        return original.withTensors(Map.of(
                w.name(), threeHeadsRows(w, heads, perm),
                b.name(), threeHeadsRows(b, heads, perm),
                d.name(), LabHeadPermutation.columns(d, heads, perm)));
    }

    private static Tensor threeHeadsRows(Tensor t, int heads, Permutation perm) {
        ByteBuffer src = t.data();
        int block = src.remaining() / (3 * heads); // one head_dim slice of q, k or v
        ByteBuffer out = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        for (int part = 0; part < 3; part++) {
            for (int i = 0; i < heads; i++) {
                out.put((part * heads + i) * block, src, (part * heads + perm.apply(i)) * block, block);
            }
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }
}
