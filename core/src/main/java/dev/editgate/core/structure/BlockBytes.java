package dev.editgate.core.structure;

import dev.editgate.core.model.BlockSet;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;

/** The bytes of one block, for bit-exact comparison: a zero-copy slice along axis 0, a packed copy along axis 1. */
public final class BlockBytes {
    private BlockBytes() {}

    public static ByteBuffer of(Tensor t, BlockSet s, int i) {
        int es = t.dtype().byteSize();
        ByteBuffer data = t.data();
        if (s.axis() == 0) {
            long inner = t.rank() == 1 ? 1 : t.numel() / t.shape()[0];
            int bytes = Math.toIntExact(s.length() * inner * es);
            return data.slice(Math.toIntExact(s.start(i) * inner * es), bytes);
        }
        int rows = t.dim(0), rowBytes = t.dim(1) * es, blockBytes = s.length() * es;
        ByteBuffer out = ByteBuffer.allocate(rows * blockBytes);
        for (int r = 0; r < rows; r++) out.put(r * blockBytes, data, r * rowBytes + s.start(i) * es, blockBytes);
        return out;
    }
}
