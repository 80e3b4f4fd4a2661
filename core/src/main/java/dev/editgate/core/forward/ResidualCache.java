package dev.editgate.core.forward;

import java.util.List;

/**
 * The residual stream of a batch: {@code streams.get(l)} enters layer {@code l}, the last one leaves the last
 * layer (before the final norm). Each is {@code [B, T, hidden]} widened to double from the compute dtype, so
 * feeding one back ({@link TransformerForward#logitsFrom}) reproduces the full forward bit for bit. Sequences may
 * differ in length ({@link #padded()}): T is then the longest, each sequence right-padded to it.
 */
public record ResidualCache(int[][] tokens, int hidden, ComputeDtype dtype, List<double[]> streams) {

    public ResidualCache {
        streams = List.copyOf(streams);
        long n = (long) tokens.length * java.util.Arrays.stream(tokens).mapToInt(t -> t.length).max().orElse(0) * hidden;
        for (double[] s : streams) {
            if (s.length != n) throw new IllegalArgumentException("residual streams must hold " + n + " values, got " + s.length);
        }
    }

    public int batch() { return tokens.length; }

    /** The longest sequence's length: T of the {@code [B, T, hidden]} streams. */
    public int seq() { return java.util.Arrays.stream(tokens).mapToInt(t -> t.length).max().orElseThrow(); }

    /** Each sequence's own length. */
    public int[] lengths() { return java.util.Arrays.stream(tokens).mapToInt(t -> t.length).toArray(); }

    /** Whether some sequence is shorter than {@link #seq()} (its stream rows beyond its length are padding). */
    public boolean padded() { return java.util.Arrays.stream(tokens).anyMatch(t -> t.length != tokens[0].length); }

    /** Number of layers the cache covers. */
    public int layers() { return streams.size() - 1; }

    /** The residual stream entering {@code layer}; {@code before(layers())} is the output of the last layer. */
    public double[] before(int layer) {
        if (layer < 0 || layer >= streams.size()) {
            throw new IllegalArgumentException("layer " + layer + " is out of range 0.." + (streams.size() - 1));
        }
        return streams.get(layer);
    }

    public double[] afterLast() { return streams.get(streams.size() - 1); }

    /**
     * The cache of sequences {@code rows} of this one, in that order (a row may repeat, e.g. one prompt under several
     * interventions): every stream {@code [rows.length, T', hidden]}, T' the longest chosen sequence.
     */
    public ResidualCache rows(int... rows) {
        if (rows.length == 0) throw new IllegalArgumentException("no rows chosen from the residual cache");
        int seq = seq();
        int[][] chosen = new int[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] < 0 || rows[r] >= batch()) {
                throw new IllegalArgumentException("row " + rows[r] + " is out of range 0.." + (batch() - 1) + " of the residual cache");
            }
            chosen[r] = tokens[rows[r]].clone();
        }
        int newSeq = java.util.Arrays.stream(chosen).mapToInt(t -> t.length).max().orElseThrow();
        List<double[]> out = new java.util.ArrayList<>(streams.size());
        for (double[] s : streams) {
            double[] copy = new double[rows.length * newSeq * hidden];          // [rows, T', hidden]
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(s, rows[r] * seq * hidden, copy, r * newSeq * hidden, newSeq * hidden);
            }
            out.add(copy);
        }
        return new ResidualCache(chosen, hidden, dtype, out);
    }
}
