package dev.editgate.core.tolerance;

import java.util.Arrays;

/**
 * How far candidate logits are from reference logits.
 *
 * @param maxAbs         max |cand - ref| over all (batch, position, token); +Inf when any value is not finite
 * @param maxRel         max over positions of max_v |Δ| / (max_v ref - min_v ref): the error relative to the
 *                       spread of that position's logits (element-wise |Δ|/|ref| explodes near zero logits)
 * @param meanAbs        mean |Δ| over the finite elements
 * @param maxUlps        max distance in units in the last place of the candidate dtype, between the candidate
 *                       and the reference rounded to that dtype
 * @param worstBatch     batch row of maxAbs
 * @param worstPos       position of maxAbs
 * @param worstToken     token id of maxAbs
 * @param absErrorSample |Δ| at up to 1024 evenly strided elements (for histograms)
 * @param count          number of compared elements
 * @param nonFinite      number of candidate elements that are NaN or infinite
 * @param frontRef       with {@code frontAbs}: the Pareto front of the points (|ref|, |Δ|) (|ref| rounded
 *                       down, |Δ| up to float), enough to evaluate max(|Δ| - rtol·|ref|) exactly for any rtol
 * @param frontAbs       see {@code frontRef}
 */
public record LogitError(double maxAbs, double maxRel, double meanAbs, long maxUlps, int worstBatch, int worstPos,
                         int worstToken, double[] absErrorSample, long count, long nonFinite,
                         double[] frontRef, double[] frontAbs) {

    public static final int SAMPLE = 1024;

    public LogitError {
        if (frontRef.length != frontAbs.length) throw new IllegalArgumentException("front arrays differ in length");
    }

    /** Without the element-wise front: {@link #worstFixedExcess} then treats every |Δ| as if |ref| were 0. */
    public LogitError(double maxAbs, double maxRel, double meanAbs, long maxUlps, int worstBatch, int worstPos,
                      int worstToken, double[] absErrorSample) {
        this(maxAbs, maxRel, meanAbs, maxUlps, worstBatch, worstPos, worstToken, absErrorSample, 0, 0,
                new double[] {0}, new double[] {maxAbs});
    }

    /** max over elements of |Δ| - rtol·|ref|; |Δ| ≤ atol + rtol·|ref| holds everywhere iff this is ≤ atol. */
    public double worstFixedExcess(double rtol) {
        if (nonFinite > 0) return Double.POSITIVE_INFINITY;
        double worst = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < frontRef.length; i++) worst = Math.max(worst, frontAbs[i] - rtol * frontRef[i]);
        return frontRef.length == 0 ? 0 : worst;
    }

    public boolean allFinite() { return nonFinite == 0; }

    /** The combined error of two comparisons (e.g. two prompt batches); worst location from the worse one. */
    public LogitError merge(LogitError o) {
        LogitError worse = o.maxAbs > maxAbs || Double.isNaN(o.maxAbs) ? o : this;
        long n = count + o.count;
        double mean = n == 0 ? 0 : (meanAbs * count + o.meanAbs * o.count) / n;
        double[] sample = concat(absErrorSample, o.absErrorSample);
        if (sample.length > SAMPLE) {
            double[] s = new double[SAMPLE];
            for (int i = 0; i < SAMPLE; i++) s[i] = sample[(int) ((long) i * sample.length / SAMPLE)];
            sample = s;
        }
        double[][] front = ParetoFront.of(concat(frontRef, o.frontRef), concat(frontAbs, o.frontAbs));
        return new LogitError(Math.max(maxAbs, o.maxAbs), Math.max(maxRel, o.maxRel), mean, Math.max(maxUlps, o.maxUlps),
                worse.worstBatch, worse.worstPos, worse.worstToken, sample, n, nonFinite + o.nonFinite, front[0], front[1]);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public String toString() {
        return String.format("max |Δ| %.3e at (seq %d, pos %d, token %d), max rel %.3e, mean |Δ| %.3e, %d ulps%s",
                maxAbs, worstBatch, worstPos, worstToken, maxRel, meanAbs, maxUlps,
                nonFinite > 0 ? ", " + nonFinite + " non-finite" : "");
    }
}
