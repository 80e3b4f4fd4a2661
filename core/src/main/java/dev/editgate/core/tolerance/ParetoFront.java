package dev.editgate.core.tolerance;

import java.util.Arrays;

/** The points (r, d), r, d ≥ 0, that no other point dominates (r' ≤ r and d' ≥ d), sorted by r. */
final class ParetoFront {
    private ParetoFront() {}

    /** Buckets of the r range for the linear-time pre-filter. */
    private static final int BUCKETS = 1024;

    /**
     * Returns {r[], d[]}; r is rounded down and d up to float so the front stays conservative.
     *
     * <p>Only the few points that may be on the front are sorted (a functional trial compares millions of logits):
     * the rounded r range is cut into {@value #BUCKETS} buckets, monotone in r, and a point whose d does not exceed
     * the largest d of every lower bucket is dropped first. Such a point is dominated by that largest point, which
     * has a strictly smaller r, is itself kept, and precedes it in sorted order, so the front is exactly the same.
     */
    static double[][] of(double[] r, double[] d) {
        float[] rs = new float[r.length];
        float[] ds = new float[r.length];
        int n = 0;
        float maxR = 0;
        for (int i = 0; i < r.length; i++) {
            if (!(d[i] > 0)) continue;   // zero errors never decide a check
            float rf = roundDown(r[i]);
            float df = roundUp(d[i]);
            rs[n] = rf;
            ds[n] = df;
            maxR = Math.max(maxR, rf);
            n++;
        }
        int[] bucket = new int[n];
        float[] bucketMax = new float[BUCKETS];
        Arrays.fill(bucketMax, -1f);
        boolean finiteRange = maxR > 0 && Float.isFinite(maxR);
        for (int i = 0; i < n; i++) {
            // monotone in r: a lower bucket holds only strictly smaller r (one bucket when the range is degenerate)
            int b = finiteRange ? Math.min(BUCKETS - 1, (int) (rs[i] / maxR * (BUCKETS - 1))) : 0;
            bucket[i] = b;
            bucketMax[b] = Math.max(bucketMax[b], ds[i]);
        }
        float[] below = largestBelow(bucketMax);
        long[] packed = new long[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (!(ds[i] > below[bucket[i]])) continue;
            packed[kept++] = pack(rs[i], ds[i]);
        }
        return ofCandidates(packed, kept);
    }

    /**
     * r ≥ 0 (or NaN) rounded down to float, so the front's r never overstates a reference logit: one bit pattern
     * lower when the nearest float is above r (for a non-negative float that is {@code Math.nextDown}, without its
     * branches, which cost more than the rest of a comparison's per-logit work).
     */
    static float roundDown(double r) {
        float rf = (float) r;
        return Float.intBitsToFloat(Float.floatToRawIntBits(rf) - (rf > r ? 1 : 0));
    }

    /** d ≥ 0 (or NaN) rounded up to float, so the front's d never understates an error (as {@link #roundDown}). */
    static float roundUp(double d) {
        float df = (float) d;
        return Float.intBitsToFloat(Float.floatToRawIntBits(df) + (df < d ? 1 : 0));
    }

    /** (r, d) as one long that sorts by r, then d, for the non-negative floats of a front (r's bits above d's). */
    static long pack(float r, float d) {
        return ((long) Float.floatToRawIntBits(r) << 32) | (Float.floatToRawIntBits(d) & 0xFFFFFFFFL);
    }

    /** For each bucket, the largest d of every bucket below it (-1 for the first). */
    static float[] largestBelow(float[] bucketMax) {
        float[] below = new float[bucketMax.length];
        float soFar = -1f;
        for (int b = 0; b < bucketMax.length; b++) {
            below[b] = soFar;
            soFar = Math.max(soFar, bucketMax[b]);
        }
        return below;
    }

    /**
     * The front of the first {@code n} {@link #pack packed} points, every point that may be on it included (others may
     * be too); sorts {@code packed[0, n)} in place.
     */
    static double[][] ofCandidates(long[] packed, int n) {
        Arrays.sort(packed, 0, n);       // non-negative floats sort like their bits: by r, then d
        double[] fr = new double[Math.max(1, Math.min(n, 64))];
        double[] fd = new double[fr.length];
        int m = 0;
        double running = -1;
        for (int i = 0; i < n; i++) {
            double rr = Float.intBitsToFloat((int) (packed[i] >>> 32));
            double dd = Float.intBitsToFloat((int) packed[i]);
            if (dd > running) {
                // drop an earlier point with the same r and a smaller d
                if (m > 0 && fr[m - 1] == rr) m--;
                if (m == fr.length) {
                    fr = Arrays.copyOf(fr, m * 2);
                    fd = Arrays.copyOf(fd, m * 2);
                }
                fr[m] = rr;
                fd[m] = dd;
                m++;
                running = dd;
            }
        }
        return new double[][] {Arrays.copyOf(fr, m), Arrays.copyOf(fd, m)};
    }
}
