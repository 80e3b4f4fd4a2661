package org.example.lab;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The seed experiment's bug, kept to show what the gate does with it: query_key_value rows are treated as
 * [3, heads, head_dim] (all queries, then all keys, then all values), which is not how GPT-NeoX stores them.
 * Everything else is the lab's correct edit.
 */
public class SeedLayoutPermutation extends LabHeadPermutation {
    @Override
    protected Tensor qkvRows(Tensor t, int heads, Permutation perm) {
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
