package dev.editgate.core.structure;

import dev.editgate.core.model.BlockSet;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;

/**
 * The bytes of one block, for bit-exact comparison. A block is {@code rows} segments of {@code segmentBytes} bytes each:
 * one contiguous segment along axis 0, one segment per row of a matrix along axis 1. {@link #equal} and {@link #hash}
 * read the segments in place (no copy); {@link #of} packs them into one buffer for callers that key maps by content.
 */
public final class BlockBytes {
    private BlockBytes() {}

    /** The block's bytes: a zero-copy slice along axis 0, a packed copy along axis 1. */
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

    /**
     * Whether block {@code i} of {@code sa} in {@code a} and block {@code j} of {@code sb} in {@code b} hold the same
     * bytes, compared in place segment by segment; {@code BlockBytes.of(a, sa, i).equals(BlockBytes.of(b, sb, j))}
     * without the copies.
     */
    public static boolean equal(Tensor a, BlockSet sa, int i, Tensor b, BlockSet sb, int j) {
        Segments x = Segments.of(a, sa, i), y = Segments.of(b, sb, j);
        if (x.rows * x.bytes != y.rows * y.bytes) return false;
        if (x.rows != y.rows) return BlockBytes.of(a, sa, i).equals(BlockBytes.of(b, sb, j)); // differently cut: compare packed
        ByteBuffer p = a.data(), q = b.data();
        for (int r = 0; r < x.rows; r++) {
            if (!range(p, x.first + r * x.stride, x.bytes).equals(range(q, y.first + r * y.stride, y.bytes))) return false;
        }
        return true;
    }

    /**
     * A hash of block {@code i}'s bytes, read in place. Equal blocks of the same shape (the same segment length and
     * count, e.g. two blocks of one {@link BlockSet}, or of one tensor, axis and length) hash alike; it is not
     * {@link ByteBuffer#hashCode} of {@link #of}.
     */
    public static int hash(Tensor t, BlockSet s, int i) {
        Segments x = Segments.of(t, s, i);
        ByteBuffer p = t.data();
        long h = 1;
        for (int r = 0; r < x.rows; r++) {
            int at = x.first + r * x.stride, end = at + x.bytes;
            for (; at + 8 <= end; at += 8) h = h * 31 + p.getLong(at);
            for (; at < end; at++) h = h * 31 + p.get(at);
        }
        return Long.hashCode(h);
    }

    /** {@code buffer}'s bytes {@code [from, from + length)} as its remaining bytes (the buffer is a caller's own view). */
    private static ByteBuffer range(ByteBuffer buffer, int from, int length) {
        return buffer.limit(from + length).position(from);
    }

    /** {@code rows} segments of {@code bytes} bytes, the first at byte {@code first}, each {@code stride} after the last. */
    private record Segments(int first, int rows, int bytes, int stride) {
        static Segments of(Tensor t, BlockSet s, int i) {
            int es = t.dtype().byteSize();
            if (s.axis() == 0) {
                long inner = t.rank() == 1 ? 1 : t.numel() / t.shape()[0];
                return new Segments(Math.toIntExact(s.start(i) * inner * es), 1, Math.toIntExact(s.length() * inner * es), 0);
            }
            int rowBytes = t.dim(1) * es;
            return new Segments(s.start(i) * es, t.dim(0), s.length() * es, rowBytes);
        }
    }
}
