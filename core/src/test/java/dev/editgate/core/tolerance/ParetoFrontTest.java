package dev.editgate.core.tolerance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bucketed pre-filter of {@link ParetoFront#of} changes nothing: on random clouds (logit-like, with ties, repeated
 * values, zeros, an all-equal r, infinities and NaN) the front equals the one found by sorting every point.
 */
class ParetoFrontTest {

    /** The front by sorting every point (the method before the pre-filter). */
    static double[][] bySortingEverything(double[] r, double[] d) {
        long[] packed = new long[r.length];
        int n = 0;
        for (int i = 0; i < r.length; i++) {
            if (!(d[i] > 0)) continue;
            float rf = (float) r[i];
            if (rf > r[i]) rf = Math.nextDown(rf);
            float df = (float) d[i];
            if (df < d[i]) df = Math.nextUp(df);
            packed[n++] = ((long) Float.floatToRawIntBits(rf) << 32) | (Float.floatToRawIntBits(df) & 0xFFFFFFFFL);
        }
        packed = Arrays.copyOf(packed, n);
        Arrays.sort(packed);
        double[] fr = new double[n];
        double[] fd = new double[n];
        int m = 0;
        double running = -1;
        for (long p : packed) {
            double rr = Float.intBitsToFloat((int) (p >>> 32));
            double dd = Float.intBitsToFloat((int) p);
            if (dd > running) {
                if (m > 0 && fr[m - 1] == rr) m--;
                fr[m] = rr;
                fd[m] = dd;
                m++;
                running = dd;
            }
        }
        return new double[][] {Arrays.copyOf(fr, m), Arrays.copyOf(fd, m)};
    }

    @Test
    void theFrontEqualsTheOneFoundBySortingEveryPoint() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            int n = 1 + random.nextInt(round < 200 ? 200 : 50_000);
            double[] r = new double[n];
            double[] d = new double[n];
            int kind = round % 6;
            for (int i = 0; i < n; i++) {
                r[i] = switch (kind) {
                    case 0 -> Math.abs(random.nextGaussian() * 5);                 // logit-like
                    case 1 -> random.nextInt(8);                                   // many ties in r
                    case 2 -> 3.0;                                                 // one r for all
                    default -> Math.abs(random.nextGaussian()) * Math.pow(10, random.nextInt(6) - 3);
                };
                d[i] = switch (kind) {
                    case 3 -> random.nextInt(4) * 1e-6;                            // zeros and repeats
                    case 4 -> random.nextDouble() < 0.01 ? Double.POSITIVE_INFINITY : random.nextDouble() * r[i] * 1e-6;
                    default -> Math.abs(random.nextGaussian()) * 1e-5 * (1 + r[i]);
                };
            }
            if (kind == 5 && n > 3) {
                r[random.nextInt(n)] = Double.NaN;
                r[random.nextInt(n)] = Double.POSITIVE_INFINITY;
                d[random.nextInt(n)] = Double.NaN;
            }
            double[][] want = bySortingEverything(r, d);
            double[][] got = ParetoFront.of(r, d);
            assertThat(got[0]).as("round %d (kind %d, %d points): r", round, kind, n).isEqualTo(want[0]);
            assertThat(got[1]).as("round %d (kind %d, %d points): d", round, kind, n).isEqualTo(want[1]);
        }
    }

    @Test
    void anEmptyOrAllZeroCloudHasAnEmptyFront() {
        assertThat(ParetoFront.of(new double[0], new double[0])[0]).isEmpty();
        assertThat(ParetoFront.of(new double[] {1, 2}, new double[] {0, 0})[1]).isEmpty();
    }
}
