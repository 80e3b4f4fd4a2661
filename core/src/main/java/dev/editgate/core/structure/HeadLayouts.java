package dev.editgate.core.structure;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.edit.TensorBlocks;
import dev.editgate.core.safetensors.Tensor;

/**
 * The block maps of the head layouts and conventions editgate knows, for one layer with {@code heads} heads:
 * each returns, for a QKV tensor (weight or bias, rows first) or the dense weight, what an edit assuming that
 * layout would produce from the original. Used to diagnose an edit and to build the mutant catalogue.
 */
public final class HeadLayouts {
    private HeadLayouts() {}

    /** GPT-NeoX: rows [heads, 3, head_dim]; new head i = old head π(i). */
    public static Tensor qkvPerHead(Tensor qkv, int heads, Permutation p) {
        return TensorBlocks.permuteRowBlocks(qkv, heads, p);
    }

    /** The seed's assumption: rows [3, heads, head_dim] (all q, then all k, then all v). */
    public static Tensor qkvThreeHeads(Tensor qkv, int heads, Permutation p) {
        int[] src = new int[3 * heads];
        for (int part = 0; part < 3; part++) {
            for (int i = 0; i < heads; i++) src[part * heads + i] = part * heads + p.apply(i);
        }
        return TensorBlocks.gatherRowBlocks(qkv, 3 * heads, src);
    }

    /** Per-head layout, but only the components in {@code moved} (0=q, 1=k, 2=v) move; the others stay. */
    public static Tensor qkvComponents(Tensor qkv, int heads, Permutation p, boolean... moved) {
        int[] src = new int[3 * heads];
        for (int h = 0; h < heads; h++) {
            for (int c = 0; c < 3; c++) src[h * 3 + c] = moved[c] ? p.apply(h) * 3 + c : h * 3 + c;
        }
        return TensorBlocks.gatherRowBlocks(qkv, 3 * heads, src);
    }

    /**
     * Rows moved in blocks of {@code k·head_dim} instead of 3·head_dim: block i of that size (for i < heads)
     * takes block π(i); rows past heads such blocks stay. Null when the rows do not divide that way.
     */
    public static Tensor qkvBlockSize(Tensor qkv, int heads, int k, Permutation p) {
        long rows = qkv.shape()[0];
        long blockRows = rows / (3L * heads) * k;
        if (blockRows == 0 || rows % blockRows != 0 || rows / blockRows < heads) return null;
        int blocks = Math.toIntExact(rows / blockRows);
        int[] src = new int[blocks];
        for (int i = 0; i < blocks; i++) src[i] = i < heads ? p.apply(i) : i;
        return TensorBlocks.gatherRowBlocks(qkv, blocks, src);
    }

    /** Per-head layout, but heads ≥ {@code limit} are left in place (and heads below take π(i) regardless). */
    public static Tensor qkvHeadsBelow(Tensor qkv, int heads, int limit, Permutation p) {
        int[] src = new int[heads];
        for (int i = 0; i < heads; i++) src[i] = i < limit ? p.apply(i) : i;
        return TensorBlocks.gatherRowBlocks(qkv, heads, src);
    }

    /** Dense weight [hidden, hidden]: a head owns a block of head_dim columns; new head i = old head π(i). */
    public static Tensor denseColumns(Tensor dense, int heads, Permutation p) {
        return TensorBlocks.permuteColumnBlocks(dense, heads, p);
    }

    /** Dense weight with row blocks moved instead of columns (treating torch's [out, in] as [in, out]). */
    public static Tensor denseRows(Tensor dense, int heads, Permutation p) {
        return TensorBlocks.permuteRowBlocks(dense, heads, p);
    }

    /** Dense columns with heads ≥ {@code limit} left in place. */
    public static Tensor denseHeadsBelow(Tensor dense, int heads, int limit, Permutation p) {
        int[] src = new int[heads];
        for (int i = 0; i < heads; i++) src[i] = i < limit ? p.apply(i) : i;
        return TensorBlocks.gatherColumnBlocks(dense, heads, src);
    }
}
