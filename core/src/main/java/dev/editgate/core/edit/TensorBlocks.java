package dev.editgate.core.edit;

import dev.editgate.core.safetensors.Tensor;

/**
 * Equal-sized block moves along one axis, for callers that think in "n blocks" rather than in a layout
 * (tests, lab code). Both are {@link Gather} with a block map; the input is never modified.
 */
public final class TensorBlocks {
    private TensorBlocks() {}

    /** Views {@code t} as {@code [blocks, rest...]} along dim 0 and returns {@code out[i] = t[perm(i)]}. */
    public static Tensor permuteRowBlocks(Tensor t, int blocks, Permutation perm) {
        requireBlocks(t, 0, blocks, perm);
        return Gather.rows(t, Gather.blockMap(t.dim(0), t.dim(0) / blocks, perm.toArray()));
    }

    /** Views a 2-D {@code t [rows, cols]} as {@code [rows, blocks, cols/blocks]} and returns {@code out[:, i] = t[:, perm(i)]}. */
    public static Tensor permuteColumnBlocks(Tensor t, int blocks, Permutation perm) {
        if (t.rank() != 2) throw new IllegalArgumentException("tensor '" + t.name() + "': column blocks need a 2-D tensor, got rank " + t.rank());
        requireBlocks(t, 1, blocks, perm);
        return Gather.columns(t, Gather.blockMap(t.dim(1), t.dim(1) / blocks, perm.toArray()));
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
