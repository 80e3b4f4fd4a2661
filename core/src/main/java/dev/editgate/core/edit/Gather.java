package dev.editgate.core.edit;

import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one byte-exact gather in editgate: {@code out[.., r, ..] = in[.., src[r], ..]} along axis 0 or 1 of a
 * rank-1 or rank-2 tensor. Values are never decoded, so every dtype moves bit for bit; the input is never
 * modified and the result is a new off-heap tensor. Every edit, mutant and layout hypothesis moves bytes
 * through here.
 */
public final class Gather {
    private Gather() {}

    /** Gathers along {@code axis} (0 = rows or the only axis of a vector, 1 = columns of a matrix). */
    public static Tensor along(Tensor t, int axis, int[] src) {
        if (axis == 0) return rows(t, src);
        if (axis == 1) return columns(t, src);
        throw new IllegalArgumentException("tensor '" + t.name() + "': gather axis must be 0 or 1, got " + axis);
    }

    /** {@code out[r, ...] = t[src[r], ...]} along dim 0; {@code src.length} must equal dim 0. */
    public static Tensor rows(Tensor t, int[] src) {
        int rows = t.dim(0);
        requireMap(t, src, rows, "row");
        int rowBytes = Math.toIntExact(t.byteSize() / Math.max(rows, 1));
        ByteBuffer in = t.data();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) out.put(r * rowBytes, in, src[r] * rowBytes, rowBytes);
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }

    /** {@code out[:, c] = t[:, src[c]]} for a 2-D tensor; runs of consecutive columns are copied together. */
    public static Tensor columns(Tensor t, int[] src) {
        if (t.rank() != 2) throw new IllegalArgumentException("tensor '" + t.name() + "': a column gather needs a 2-D tensor, got rank " + t.rank());
        int rows = t.dim(0), cols = t.dim(1), es = t.dtype().byteSize();
        requireMap(t, src, cols, "column");
        ByteBuffer in = t.data();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        int rowBytes = cols * es;
        for (int c = 0; c < cols; ) {                     // find the run src[c..c+n) = src[c], src[c]+1, ...
            int n = 1;
            while (c + n < cols && src[c + n] == src[c] + n) n++;
            for (int r = 0; r < rows; r++) out.put(r * rowBytes + c * es, in, r * rowBytes + src[c] * es, n * es);
            c += n;
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }

    private static void requireMap(Tensor t, int[] src, int length, String what) {
        if (src.length != length) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': " + what + " map of " + src.length + " for " + length + " " + what + "s");
        }
        for (int s : src) {
            if (s < 0 || s >= length) throw new IllegalArgumentException("tensor '" + t.name() + "': " + what + " index " + s + " out of range");
        }
    }

    /** {@code 0, 1, ..., n-1}. */
    public static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    /**
     * Index map moving {@code blocks} blocks of {@code blockSize} (starting at 0) by the gather map
     * {@code perm} (out block i = in block perm[i]); indices at or past {@code perm.length*blockSize} stay.
     */
    public static int[] blockMap(int length, int blockSize, int[] perm) {
        int[] src = identity(length);
        for (int i = 0; i < perm.length; i++) {
            for (int d = 0; d < blockSize; d++) src[i * blockSize + d] = perm[i] * blockSize + d;
        }
        return src;
    }
}
