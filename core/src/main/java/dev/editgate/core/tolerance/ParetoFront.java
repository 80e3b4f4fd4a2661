package dev.editgate.core.tolerance;

import java.util.Arrays;

/** The points (r, d), r, d ≥ 0, that no other point dominates (r' ≤ r and d' ≥ d), sorted by r. */
final class ParetoFront {
    private ParetoFront() {}

    /** Returns {r[], d[]}; r is rounded down and d up to float so the front stays conservative. */
    static double[][] of(double[] r, double[] d) {
        long[] packed = new long[r.length];
        int n = 0;
        for (int i = 0; i < r.length; i++) {
            if (!(d[i] > 0)) continue;   // zero errors never decide a check
            float rf = (float) r[i];
            if (rf > r[i]) rf = Math.nextDown(rf);
            float df = (float) d[i];
            if (df < d[i]) df = Math.nextUp(df);
            packed[n++] = ((long) Float.floatToRawIntBits(rf) << 32) | (Float.floatToRawIntBits(df) & 0xFFFFFFFFL);
        }
        packed = Arrays.copyOf(packed, n);
        Arrays.sort(packed);             // non-negative floats sort like their bits: by r, then d
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
