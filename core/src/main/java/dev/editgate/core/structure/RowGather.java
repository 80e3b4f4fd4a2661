package dev.editgate.core.structure;

import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Byte-exact gathers of rows or columns by an explicit index map ({@code out[r] = in[src[r]]}). The
 * layout hypotheses of {@link LayoutDiagnosis} and the mutant catalogue build every candidate
 * layout out of these two, so a candidate and the edit it imitates move exactly the same bytes.
 * The input is never modified.
 */
public final class RowGather {
    private RowGather() {}

    /** {@code out[r, ...] = t[src[r], ...]} along dim 0; {@code src.length} must equal dim 0. */
    public static Tensor rows(Tensor t, int[] src) {
        int rows = t.dim(0);
        if (src.length != rows) throw new IllegalArgumentException("tensor '" + t.name() + "': row map of " + src.length + " for " + rows + " rows");
        int rowBytes = Math.toIntExact(t.byteSize() / rows);
        ByteBuffer in = t.data();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) out.put(r * rowBytes, in, src[r] * rowBytes, rowBytes);
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }

    /** {@code out[:, c] = t[:, src[c]]} for a 2-D tensor. */
    public static Tensor columns(Tensor t, int[] src) {
        if (t.rank() != 2) throw new IllegalArgumentException("tensor '" + t.name() + "': column gather needs rank 2");
        int rows = t.dim(0), cols = t.dim(1), es = t.dtype().byteSize();
        if (src.length != cols) throw new IllegalArgumentException("tensor '" + t.name() + "': column map of " + src.length + " for " + cols + " columns");
        ByteBuffer in = t.data();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            int base = r * cols * es;
            for (int c = 0; c < cols; c++) out.put(base + c * es, in, base + src[c] * es, es);
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }

    /**
     * Index map moving {@code blocks} blocks of {@code blockSize} (starting at 0) by the gather map
     * {@code perm} (out block i = in block perm[i]); indices at or past {@code blocks*blockSize} stay.
     */
    public static int[] blockMap(int length, int blockSize, int[] perm) {
        int[] src = identity(length);
        for (int i = 0; i < perm.length; i++) {
            for (int d = 0; d < blockSize; d++) src[i * blockSize + d] = perm[i] * blockSize + d;
        }
        return src;
    }

    public static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }
}
