package dev.editgate.core.edit;

import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Byte-exact block moves on row-major tensors. Each returns a new off-heap tensor and leaves its input
 * untouched; values are never decoded, so every dtype is moved bit for bit.
 */
public final class TensorBlocks {
    private TensorBlocks() {}

    /**
     * Views {@code t} as {@code [blocks, rest...]} along dim 0 and returns {@code out[i] = t[perm(i)]}.
     * Used for the fused QKV weight and bias, whose rows come in per-head blocks of 3*head_dim.
     */
    public static Tensor permuteRowBlocks(Tensor t, int blocks, Permutation perm) {
        requireBlocks(t, 0, blocks, perm);
        int blockBytes = Math.toIntExact(t.byteSize() / blocks);
        ByteBuffer src = t.data();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < blocks; i++) {
            out.put(i * blockBytes, src, perm.apply(i) * blockBytes, blockBytes);
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }

    /**
     * Views a 2-D {@code t} of shape {@code [rows, cols]} as {@code [rows, blocks, cols/blocks]} and returns
     * {@code out[:, i] = t[:, perm(i)]}. Used for {@code attention.dense.weight}, whose columns are per head.
     */
    public static Tensor permuteColumnBlocks(Tensor t, int blocks, Permutation perm) {
        if (t.rank() != 2) throw new IllegalArgumentException("tensor '" + t.name() + "': column blocks need a 2-D tensor, got rank " + t.rank());
        requireBlocks(t, 1, blocks, perm);
        int rows = t.dim(0);
        int rowBytes = t.dim(1) * t.dtype().byteSize();
        int blockBytes = rowBytes / blocks;
        ByteBuffer src = t.data();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            int row = r * rowBytes;
            for (int i = 0; i < blocks; i++) {
                out.put(row + i * blockBytes, src, row + perm.apply(i) * blockBytes, blockBytes);
            }
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }

    private static void requireBlocks(Tensor t, int dim, int blocks, Permutation perm) {
        if (perm.size() != blocks) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': permutation of " + perm.size() + " points for " + blocks + " blocks");
        }
        if (t.rank() <= dim || t.shape()[dim] % blocks != 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': dim " + dim + " of shape "
                    + java.util.Arrays.toString(t.shape()) + " is not divisible into " + blocks + " blocks");
        }
    }
}
