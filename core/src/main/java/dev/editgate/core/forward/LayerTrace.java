package dev.editgate.core.forward;

/**
 * What one layer computed for a batch, widened to double; arrays of the residual width are {@code [B, T, hidden]}.
 *
 * @param residualIn   the residual stream entering the layer
 * @param z            per-head z {@code [B, T, heads, headDim]}, the input of {@code attention.dense}
 * @param attentionOut {@code dense(z)} including {@code dense.bias}
 * @param mlpOut       the MLP's output (before it is added to the residual)
 * @param residualOut  the residual stream leaving the layer
 */
public record LayerTrace(int layer, int batch, int seq, int hidden, double[] residualIn, HeadZ z,
                         double[] attentionOut, double[] mlpOut, double[] residualOut) {

    public LayerTrace {
        long n = (long) batch * seq * hidden;
        for (double[] a : new double[][] {residualIn, attentionOut, mlpOut, residualOut}) {
            if (a.length != n) throw new IllegalArgumentException("layer trace arrays must hold " + n + " values, got " + a.length);
        }
        if (z.batch() != batch || z.seq() != seq) {           // heads × head_dim may differ from hidden (Llama's explicit head_dim)
            throw new IllegalArgumentException("z shape does not match the trace's [" + batch + ", " + seq + ", ...]");
        }
    }

    public int heads() { return z.heads(); }

    public int headDim() { return z.headDim(); }

    /** Flat index into the {@code [B, T, hidden]} arrays. */
    public int index(int b, int t, int c) { return (b * seq + t) * hidden + c; }
}
