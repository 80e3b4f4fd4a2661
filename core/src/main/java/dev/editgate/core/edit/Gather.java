package dev.editgate.core.edit;

import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;

/**
 * The one byte-exact gather in editgate: {@code out[.., r, ..] = in[.., src[r], ..]} along axis 0 or 1 of a
 * rank-1 or rank-2 tensor. Values are never decoded, so every dtype moves bit for bit; the input is never
 * modified. Every edit, mutant and layout hypothesis moves bytes through here.
 *
 * <p>The result lives on the Java heap: a gate run makes one edited tensor per trial and drops most of them at once,
 * and the garbage collector hands that memory to the next trial, where a new direct buffer each trial would be fresh
 * memory (its pages faulted in and zeroed) until a collection that the small heap use rarely triggers. Each run of
 * consecutive source indices is one bulk copy.
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
        byte[] out = new byte[Math.toIntExact(t.byteSize())];
        for (int r = 0; r < rows; ) {                     // runs of consecutive source rows are one copy
            int n = run(src, r);
            in.get(src[r] * rowBytes, out, r * rowBytes, n * rowBytes);
            r += n;
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), ByteBuffer.wrap(out));
    }

    /** {@code out[:, c] = t[:, src[c]]} for a 2-D tensor; runs of consecutive columns are copied together. */
    public static Tensor columns(Tensor t, int[] src) {
        if (t.rank() != 2) throw new IllegalArgumentException("tensor '" + t.name() + "': a column gather needs a 2-D tensor, got rank " + t.rank());
        int rows = t.dim(0), cols = t.dim(1), es = t.dtype().byteSize();
        requireMap(t, src, cols, "column");
        ByteBuffer in = t.data();
        byte[] out = new byte[Math.toIntExact(t.byteSize())];
        int rowBytes = cols * es;
        int runs = 0;
        int[] runStart = new int[cols], runLength = new int[cols];   // the runs of consecutive source columns
        for (int c = 0; c < cols; c += runLength[runs++]) {
            runStart[runs] = c;
            runLength[runs] = run(src, c);
        }
        byte[] row = new byte[rowBytes];
        for (int r = 0; r < rows; r++) {                 // one bulk read per row, then the runs within the heap
            in.get(r * rowBytes, row, 0, rowBytes);
            for (int k = 0; k < runs; k++) {
                int c = runStart[k];
                System.arraycopy(row, src[c] * es, out, r * rowBytes + c * es, runLength[k] * es);
            }
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), ByteBuffer.wrap(out));
    }

    /** The length n of the run {@code src[i..i+n) = src[i], src[i]+1, ...} of consecutive sources. */
    private static int run(int[] src, int i) {
        int n = 1;
        while (i + n < src.length && src[i + n] == src[i] + n) n++;
        return n;
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
