package dev.editgate.core.forward;

/**
 * Per-head attention outputs {@code z} of one layer (the input of {@code attention.dense}, before the heads
 * are merged), row-major {@code [batch, seq, heads, headDim]}. Mutable on purpose: a {@link ZIntervention}
 * edits it in place.
 */
public record HeadZ(int batch, int seq, int heads, int headDim, double[] values) {

    public HeadZ {
        if ((long) batch * seq * heads * headDim != values.length) {
            throw new IllegalArgumentException("z shape [" + batch + ", " + seq + ", " + heads + ", " + headDim
                    + "] needs " + (long) batch * seq * heads * headDim + " values, got " + values.length);
        }
    }

    public int index(int b, int t, int h, int d) {
        if (b < 0 || b >= batch || t < 0 || t >= seq || h < 0 || h >= heads || d < 0 || d >= headDim) {
            throw new IndexOutOfBoundsException("(" + b + ", " + t + ", " + h + ", " + d + ") outside ["
                    + batch + ", " + seq + ", " + heads + ", " + headDim + "]");
        }
        return ((b * seq + t) * heads + h) * headDim + d;
    }

    public double get(int b, int t, int h, int d) { return values[index(b, t, h, d)]; }

    public void set(int b, int t, int h, int d, double v) { values[index(b, t, h, d)] = v; }

    /** A deep copy. */
    public HeadZ copy() { return new HeadZ(batch, seq, heads, headDim, values.clone()); }

    /** Sets head {@code h} to zero at every batch row and position. */
    public void zeroHead(int h) {
        checkHead(h);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                java.util.Arrays.fill(values, index(b, t, h, 0), index(b, t, h, 0) + headDim, 0.0);
            }
        }
    }

    /** Sets head {@code h} of batch row {@code b} to zero at every position (the other rows keep theirs). */
    public void zeroHead(int b, int h) {
        checkHead(h);
        checkRow(b);
        for (int t = 0; t < seq; t++) java.util.Arrays.fill(values, index(b, t, h, 0), index(b, t, h, 0) + headDim, 0.0);
    }

    /** Copies head {@code h} of batch row {@code fromRow} into head {@code h} of row {@code toRow}, at every position. */
    public void copyHead(int fromRow, int toRow, int h) {
        checkHead(h);
        checkRow(fromRow);
        checkRow(toRow);
        for (int t = 0; t < seq; t++) System.arraycopy(values, index(fromRow, t, h, 0), values, index(toRow, t, h, 0), headDim);
    }

    /** Copies head {@code h} of {@code source} at (row {@code fromRow}, position {@code fromPos}) to (row {@code toRow}, position {@code toPos}) here. */
    public void copyHead(HeadZ source, int fromRow, int fromPos, int toRow, int toPos, int h) {
        if (source.headDim != headDim || source.heads != heads) {
            throw new IllegalArgumentException("cannot copy a head of z with " + source.heads + " heads of " + source.headDim
                    + " into z with " + heads + " heads of " + headDim);
        }
        System.arraycopy(source.values, source.index(fromRow, fromPos, h, 0), values, index(toRow, toPos, h, 0), headDim);
    }

    /**
     * Copies head {@code sourceHead} of {@code source} into head {@code h} of this z at every position.
     * {@code source} must have the same seq and head dim, and batch 1 (broadcast) or this batch.
     */
    public void copyHeadFrom(HeadZ source, int sourceHead, int h) {
        checkHead(h);
        source.checkHead(sourceHead);
        if (source.seq != seq || source.headDim != headDim || (source.batch != 1 && source.batch != batch)) {
            throw new IllegalArgumentException("cannot patch z [" + batch + ", " + seq + ", " + heads + ", " + headDim
                    + "] from z [" + source.batch + ", " + source.seq + ", " + source.heads + ", " + source.headDim
                    + "]: seq and head dim must match and the source batch must be 1 or " + batch);
        }
        for (int b = 0; b < batch; b++) {
            int sb = source.batch == 1 ? 0 : b;
            for (int t = 0; t < seq; t++) {
                System.arraycopy(source.values, source.index(sb, t, sourceHead, 0), values, index(b, t, h, 0), headDim);
            }
        }
    }

    private void checkRow(int b) {
        if (b < 0 || b >= batch) throw new IllegalArgumentException("batch row " + b + " is out of range 0.." + (batch - 1));
    }

    private void checkHead(int h) {
        if (h < 0 || h >= heads) throw new IllegalArgumentException("head " + h + " is out of range 0.." + (heads - 1));
    }
}
