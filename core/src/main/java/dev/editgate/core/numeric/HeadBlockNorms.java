package dev.editgate.core.numeric;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.Tensor;
import java.util.Arrays;

/**
 * Frobenius norm of every per-head block of one GPT-NeoX layer, computed in double from any floating dtype.
 *
 * <p>Blocks follow GPT-NeoX's layout (../shared/GUIDE.md §2): head h's q, k and v are the rows
 * {@code h*3*hd + c*hd .. +hd} (c = 0, 1, 2) of {@code query_key_value.weight [3*hidden, hidden]} and the
 * same entries of its bias; its dense block is columns {@code h*hd .. (h+1)*hd-1} of
 * {@code dense.weight [hidden, hidden]}. Each array has one entry per head.
 *
 * <p>Each block's squares are summed in the same element order (row-major inside the block) whatever the
 * block's position, so a correct head permutation gives bit-equal norms, permuted:
 * {@code HeadBlockNorms.of(edited, l).equals(HeadBlockNorms.of(original, l).permuted(π))}.
 */
public record HeadBlockNorms(double[] q, double[] k, double[] v, double[] qBias, double[] kBias, double[] vBias, double[] dense) {

    public HeadBlockNorms {
        int n = q.length;
        for (double[] a : new double[][] {k, v, qBias, kBias, vBias, dense}) {
            if (a.length != n) throw new IllegalArgumentException("every norm array needs one entry per head (" + n + ")");
        }
        q = q.clone(); k = k.clone(); v = v.clone();
        qBias = qBias.clone(); kBias = kBias.clone(); vBias = vBias.clone();
        dense = dense.clone();
    }

    /** Norms of every head block of {@code layer}; the checkpoint's tensors are read in place. */
    public static HeadBlockNorms of(Checkpoint ck, int layer) {
        GptNeoxConfig c = ck.config();
        if (layer < 0 || layer >= c.numHiddenLayers()) {
            throw new IllegalArgumentException("layer " + layer + " is out of range: the model has " + c.numHiddenLayers()
                    + " layers (0.." + (c.numHiddenLayers() - 1) + ")");
        }
        int heads = c.numAttentionHeads(), hd = c.headDim(), hidden = c.hiddenSize();
        Tensor w = ck.tensor(GptNeoxNames.qkvWeight(layer));
        Tensor b = ck.tensor(GptNeoxNames.qkvBias(layer));
        Tensor d = ck.tensor(GptNeoxNames.denseWeight(layer));
        requireShape(w, 3L * hidden, hidden);
        requireShape(b, 3L * hidden);
        requireShape(d, hidden, hidden);
        double[][] wq = new double[3][heads];
        double[][] bq = new double[3][heads];
        double[] dn = new double[heads];
        for (int h = 0; h < heads; h++) {
            for (int comp = 0; comp < 3; comp++) {
                long firstRow = (long) h * 3 * hd + (long) comp * hd;
                wq[comp][h] = Math.sqrt(sumSquares(w, firstRow * hidden, (long) hd * hidden));
                bq[comp][h] = Math.sqrt(sumSquares(b, firstRow, hd));
            }
            double s = 0;
            for (long r = 0; r < hidden; r++) {
                long base = r * hidden + (long) h * hd;
                for (int j = 0; j < hd; j++) {
                    double x = d.getDouble(base + j);
                    s += x * x;
                }
            }
            dn[h] = Math.sqrt(s);
        }
        return new HeadBlockNorms(wq[0], wq[1], wq[2], bq[0], bq[1], bq[2], dn);
    }

    private static double sumSquares(Tensor t, long from, long count) {
        double s = 0;
        for (long i = from; i < from + count; i++) {
            double x = t.getDouble(i);
            s += x * x;
        }
        return s;
    }

    private static void requireShape(Tensor t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                    + "; expected " + Arrays.toString(shape));
        }
    }

    public int heads() { return q.length; }

    /** The norms a head permutation π should produce: entry i becomes this entry π(i) (new head i = old head π(i)). */
    public HeadBlockNorms permuted(Permutation perm) {
        if (perm.size() != heads()) {
            throw new IllegalArgumentException("permutation of " + perm.size() + " points for " + heads() + " heads");
        }
        return new HeadBlockNorms(gather(q, perm), gather(k, perm), gather(v, perm), gather(qBias, perm),
                gather(kBias, perm), gather(vBias, perm), gather(dense, perm));
    }

    private static double[] gather(double[] a, Permutation perm) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[perm.apply(i)];
        return out;
    }

    /** The seven arrays, named as in the record: q, k, v, qBias, kBias, vBias, dense. */
    public double[][] all() {
        return new double[][] {q(), k(), v(), qBias(), kBias(), vBias(), dense()};
    }

    public static final String[] BLOCK_NAMES = {"q", "k", "v", "qBias", "kBias", "vBias", "dense"};

    @Override public double[] q() { return q.clone(); }
    @Override public double[] k() { return k.clone(); }
    @Override public double[] v() { return v.clone(); }
    @Override public double[] qBias() { return qBias.clone(); }
    @Override public double[] kBias() { return kBias.clone(); }
    @Override public double[] vBias() { return vBias.clone(); }
    @Override public double[] dense() { return dense.clone(); }

    /** Bit equality of every norm (as {@link Double#doubleToLongBits}; NaN equals NaN). */
    @Override
    public boolean equals(Object o) {
        return o instanceof HeadBlockNorms n && Arrays.equals(q, n.q) && Arrays.equals(k, n.k) && Arrays.equals(v, n.v)
                && Arrays.equals(qBias, n.qBias) && Arrays.equals(kBias, n.kBias) && Arrays.equals(vBias, n.vBias)
                && Arrays.equals(dense, n.dense);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {q, k, v, qBias, kBias, vBias, dense});
    }

    @Override
    public String toString() {
        return "HeadBlockNorms[q=" + Arrays.toString(q) + ", k=" + Arrays.toString(k) + ", v=" + Arrays.toString(v)
                + ", qBias=" + Arrays.toString(qBias) + ", kBias=" + Arrays.toString(kBias) + ", vBias=" + Arrays.toString(vBias)
                + ", dense=" + Arrays.toString(dense) + "]";
    }
}
