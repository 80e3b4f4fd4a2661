package dev.editgate.core.structure;

/**
 * Row/column index maps ({@code out[r] = in[map[r]]}) for a head permutation under the correct
 * GPT-NeoX layout and under the plausible wrong ones. {@code perm} is a gather map: new head i =
 * old head perm[i]. Shared by {@link LayoutDiagnosis} and the mutant catalogue.
 */
public final class HeadLayouts {
    private HeadLayouts() {}

    /** GPT-NeoX: QKV rows are {@code [heads, 3, head_dim]}; head h owns rows h*3hd .. (h+1)*3hd-1. */
    public static int[] qkvPerHead(int heads, int headDim, int[] perm) {
        return RowGather.blockMap(3 * heads * headDim, 3 * headDim, perm);
    }

    /** The seed's bug: rows read as {@code [3, heads, head_dim]} (GPT-2 style q|k|v blocks). */
    public static int[] qkvComponentMajor(int heads, int headDim, int[] perm) {
        int hidden = heads * headDim;
        int[] src = new int[3 * hidden];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < heads; i++)
                for (int d = 0; d < headDim; d++) src[c * hidden + i * headDim + d] = c * hidden + perm[i] * headDim + d;
        return src;
    }

    /** Per-head layout, but only the components with {@code moved[c]} (0=q, 1=k, 2=v) are moved. */
    public static int[] qkvComponents(int heads, int headDim, int[] perm, boolean[] moved) {
        int[] src = RowGather.identity(3 * heads * headDim);
        for (int i = 0; i < heads; i++)
            for (int c = 0; c < 3; c++) {
                if (!moved[c]) continue;
                for (int d = 0; d < headDim; d++) src[(i * 3 + c) * headDim + d] = (perm[i] * 3 + c) * headDim + d;
            }
        return src;
    }

    /** {@code heads} blocks of an arbitrary size starting at row 0 (block size off by some rows). */
    public static int[] blocksOf(int length, int blockSize, int[] perm) {
        return RowGather.blockMap(length, blockSize, perm);
    }

    /** Head h owns columns (or rows) h*hd .. (h+1)*hd-1 of dense. */
    public static int[] densePerHead(int heads, int headDim, int[] perm) {
        return RowGather.blockMap(heads * headDim, headDim, perm);
    }

    /** The gather map that moves only new heads {@code i < limit} (a loop bound that stops early). */
    public static int[] truncated(int[] perm, int limit) {
        int[] p = RowGather.identity(perm.length);
        for (int i = 0; i < Math.min(limit, perm.length); i++) p[i] = perm[i];
        return p;
    }

    public static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
        return inv;
    }
}
