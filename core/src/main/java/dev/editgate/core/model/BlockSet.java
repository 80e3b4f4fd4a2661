package dev.editgate.core.model;

import java.util.Arrays;

/**
 * Where one kind of per-head (or per-neuron) block lives in a checkpoint tensor: block {@code i} is the
 * {@code length} consecutive indices starting at {@code starts[i]} along {@code axis} of {@code tensor}.
 * These are addresses, not copies: a check reads the bytes in place and stays bit-exact.
 *
 * <p>Example: GPT-NeoX's q of head h is rows {@code h*3*hd .. h*3*hd+hd-1} of
 * {@code query_key_value.weight [3*hidden, hidden]}: {@code axis 0, length hd, starts[h] = h*3*hd}.
 *
 * @param label short name used in messages and reports, e.g. {@code q}, {@code k bias}, {@code dense}
 * @param bias  whether these blocks are bias entries
 */
public record BlockSet(BlockKind kind, boolean bias, String label, String tensor, int axis, int length, int[] starts) {
    public BlockSet {
        if (axis < 0 || axis > 1) throw new IllegalArgumentException("axis must be 0 or 1, got " + axis);
        if (length <= 0) throw new IllegalArgumentException("block length must be positive, got " + length);
        starts = starts.clone();
    }

    /** Blocks laid out back to back from {@code offset}: block i starts at {@code offset + i*stride}. */
    public static BlockSet strided(BlockKind kind, boolean bias, String label, String tensor, int axis, int length,
                                   int count, int offset, int stride) {
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) starts[i] = offset + i * stride;
        return new BlockSet(kind, bias, label, tensor, axis, length, starts);
    }

    public int count() { return starts.length; }

    public int start(int i) { return starts[i]; }

    @Override
    public int[] starts() { return starts.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockSet b && kind == b.kind && bias == b.bias && label.equals(b.label) && tensor.equals(b.tensor)
                && axis == b.axis && length == b.length && Arrays.equals(starts, b.starts);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(starts) * 31 + tensor.hashCode() * 7 + label.hashCode(); }

    @Override
    public String toString() {
        return label + ": " + tensor + " axis " + axis + ", " + count() + " blocks of " + length;
    }
}
