package dev.editgate.core.numeric;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.GroupedHeads;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.model.BlockKind;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.model.HeadView;
import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Frobenius norm of every per-head block of one layer, for each block set of the family's {@link HeadView}
 * (q, k, v, their biases, o), computed in double from any floating dtype.
 *
 * <p>Each block's squares are summed in the same element order (row-major inside the block) whatever the
 * block's position, so a correct head permutation gives bit-equal norms, permuted:
 * {@code HeadBlockNorms.of(edited, l).equals(HeadBlockNorms.of(original, l).permuted(π))}.
 */
public final class HeadBlockNorms {
    private final List<String> labels;
    private final List<BlockKind> kinds;
    private final int groupSize;
    private final double[][] norms;          // [part][block]

    private HeadBlockNorms(List<String> labels, List<BlockKind> kinds, int groupSize, double[][] norms) {
        this.labels = List.copyOf(labels);
        this.kinds = List.copyOf(kinds);
        this.groupSize = groupSize;
        this.norms = norms;
    }

    /** Norms of every head block of {@code layer}; the checkpoint's tensors are read in place. */
    public static HeadBlockNorms of(Checkpoint ck, int layer) {
        HeadView view = ck.layout().heads(layer);
        List<String> labels = new ArrayList<>();
        List<BlockKind> kinds = new ArrayList<>();
        double[][] norms = new double[view.parts().size()][];
        for (int p = 0; p < view.parts().size(); p++) {
            BlockSet s = view.parts().get(p);
            labels.add(s.label());
            kinds.add(s.kind());
            Tensor t = ck.tensor(s.tensor());
            norms[p] = new double[s.count()];
            for (int i = 0; i < s.count(); i++) norms[p][i] = Math.sqrt(sumSquares(t, s, i));
        }
        return new HeadBlockNorms(labels, kinds, view.groupSize(), norms);
    }

    private static double sumSquares(Tensor t, BlockSet s, int i) {
        if (s.axis() == 0) {
            long inner = t.rank() == 1 ? 1 : t.numel() / t.shape()[0];
            return addSquares(t, s.start(i) * inner, s.length() * inner, 0);
        }
        double sum = 0;
        long cols = t.shape()[1];
        for (long r = 0; r < t.shape()[0]; r++) sum = addSquares(t, r * cols + s.start(i), s.length(), sum);
        return sum;
    }

    /**
     * {@code sum} plus the squares of elements {@code [from, from + count)}, added one by one in index order (so the
     * result is the same double whatever the block's position); the values are read in bulk, CHUNK at a time.
     */
    private static double addSquares(Tensor t, long from, long count, double sum) {
        int at = Math.toIntExact(from), end = Math.toIntExact(from + count);
        switch (t.dtype()) {
            case F16, BF16 -> {
                java.nio.ShortBuffer in = t.data().asShortBuffer();
                short[] chunk = new short[Math.min(CHUNK, end - at)];
                boolean f16 = t.dtype() == dev.editgate.core.safetensors.DType.F16;
                for (; at < end; at += chunk.length) {
                    int n = Math.min(chunk.length, end - at);
                    in.get(at, chunk, 0, n);
                    for (int k = 0; k < n; k++) {
                        double x = f16 ? dev.editgate.core.safetensors.HalfFloats.f16ToFloat(chunk[k])
                                : dev.editgate.core.safetensors.HalfFloats.bf16ToFloat(chunk[k]);
                        sum += x * x;
                    }
                }
            }
            case F32 -> {
                java.nio.FloatBuffer in = t.data().asFloatBuffer();
                float[] chunk = new float[Math.min(CHUNK, end - at)];
                for (; at < end; at += chunk.length) {
                    int n = Math.min(chunk.length, end - at);
                    in.get(at, chunk, 0, n);
                    for (int k = 0; k < n; k++) {
                        double x = chunk[k];
                        sum += x * x;
                    }
                }
            }
            default -> {                                          // F64, and the error of a non-float dtype
                for (long k = from; k < from + count; k++) {
                    double x = t.getDouble(k);
                    sum += x * x;
                }
            }
        }
        return sum;
    }

    private static final int CHUNK = 4096;

    /** Block set labels, in the head view's order (GPT-NeoX: q, k, v, q bias, k bias, v bias, dense). */
    public List<String> labels() { return labels; }

    public int heads() {
        for (int p = 0; p < kinds.size(); p++) if (kinds.get(p).index() == BlockKind.Index.QUERY_HEAD) return norms[p].length;
        return 0;
    }

    /** The norms of the block set labelled {@code label}, one per head (per KV head for k and v). */
    public double[] get(String label) {
        int p = labels.indexOf(label);
        if (p < 0) throw new IllegalArgumentException("no block set '" + label + "'; have " + labels);
        return norms[p].clone();
    }

    /** The weight (not bias) norms of the first block set of {@code kind}. */
    public double[] weights(BlockKind kind) {
        for (int p = 0; p < kinds.size(); p++) {
            if (kinds.get(p) == kind && !labels.get(p).endsWith("bias")) return norms[p].clone();
        }
        throw new IllegalArgumentException("no " + kind + " weight blocks; have " + labels);
    }

    public BlockKind kind(int part) { return kinds.get(part); }

    /** The norms a head permutation π should produce: query-head entries i become entry π(i), KV-head entries σ(j). */
    public HeadBlockNorms permuted(Permutation perm) {
        if (perm.size() != heads()) {
            throw new IllegalArgumentException("permutation of " + perm.size() + " points for " + heads() + " heads");
        }
        Permutation sigma = GroupedHeads.kvPermutation(perm, groupSize);
        double[][] out = new double[norms.length][];
        for (int p = 0; p < norms.length; p++) {
            Permutation pp = kinds.get(p).index() == BlockKind.Index.KV_HEAD ? sigma : perm;
            out[p] = new double[norms[p].length];
            for (int i = 0; i < out[p].length; i++) out[p][i] = norms[p][pp.apply(i)];
        }
        return new HeadBlockNorms(labels, kinds, groupSize, out);
    }

    /** Every norm array, in {@link #labels()} order. */
    public double[][] all() {
        double[][] out = new double[norms.length][];
        for (int p = 0; p < norms.length; p++) out[p] = norms[p].clone();
        return out;
    }

    /** Bit equality of every norm (as {@link Double#doubleToLongBits}; NaN equals NaN). */
    @Override
    public boolean equals(Object o) {
        return o instanceof HeadBlockNorms n && labels.equals(n.labels) && Arrays.deepEquals(norms, n.norms);
    }

    @Override
    public int hashCode() { return labels.hashCode() * 31 + Arrays.deepHashCode(norms); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("HeadBlockNorms[");
        for (int p = 0; p < norms.length; p++) sb.append(p > 0 ? ", " : "").append(labels.get(p)).append('=').append(Arrays.toString(norms[p]));
        return sb.append(']').toString();
    }
}
