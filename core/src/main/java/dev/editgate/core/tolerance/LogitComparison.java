package dev.editgate.core.tolerance;

import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.safetensors.HalfFloats;
import java.util.List;

/** Compares candidate logits with reference logits (usually a float64 run of the original model). */
public final class LogitComparison {
    private LogitComparison() {}

    /**
     * One pass over the elements for every statistic, a second for the Pareto front's few candidates; nothing of
     * the logits' size is allocated (a functional trial compares millions of logits). The front's pre-filter buckets
     * the points by the bits of |ref| (never decreasing in |ref| as the front's sort orders it), so its result is the
     * same as {@link ParetoFront#of} of every (|ref|, |Δ|).
     */
    public static LogitError compare(Logits reference, Logits candidate, ComputeDtype candidateDtype) {
        if (reference.batch() != candidate.batch() || reference.seq() != candidate.seq() || reference.vocab() != candidate.vocab()) {
            throw new IllegalArgumentException("cannot compare logits [" + candidate.batch() + ", " + candidate.seq() + ", "
                    + candidate.vocab() + "] with reference [" + reference.batch() + ", " + reference.seq() + ", " + reference.vocab() + "]");
        }
        double[] ref = reference.values();
        double[] cand = candidate.values();
        int vocab = reference.vocab();
        int n = ref.length;
        double maxAbs = 0;
        double maxRel = 0;
        double sum = 0;
        long finite = 0;
        long nonFinite = 0;
        long maxUlps = 0;
        int worst = 0;
        float[] bucketMax = new float[FRONT_BUCKETS];  // largest |Δ| > 0 (rounded up to float) per bucket of |ref|
        for (int row = 0; row < n / vocab; row++) {
            int from = row * vocab;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            double rowMax = 0;
            for (int i = from; i < from + vocab; i++) {
                double x = ref[i];
                double y = cand[i];
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
                double d = Math.abs(y - x);
                if (!Double.isFinite(y) || Double.isNaN(d)) {
                    nonFinite++;
                    d = Double.POSITIVE_INFINITY;
                } else {
                    sum += d;
                    finite++;
                    long u = ulps(x, y, candidateDtype);
                    if (u > maxUlps) maxUlps = u;
                }
                if (d > maxAbs) {
                    maxAbs = d;
                    worst = i;
                }
                rowMax = Math.max(rowMax, d);
                int b = frontBucket(magnitude(x));
                if (d > bucketMax[b]) bucketMax[b] = ParetoFront.roundUp(d);   // the same test as roundUp(d) > bucketMax[b]
            }
            double range = hi - lo;
            maxRel = Math.max(maxRel, range > 0 ? rowMax / range : (rowMax > 0 ? Double.POSITIVE_INFINITY : 0));
        }
        int samples = Math.min(n, LogitError.SAMPLE);
        double[] sample = new double[samples];
        for (int s = 0; s < samples; s++) {
            int i = (int) ((long) s * n / samples);
            sample[s] = absError(ref[i], cand[i]);
        }
        double[][] front = frontOf(ref, cand, ParetoFront.largestBelow(bucketMax));
        int per = reference.seq() * vocab;
        return new LogitError(maxAbs, maxRel, finite == 0 ? 0 : sum / finite, maxUlps,
                worst / per, (worst % per) / vocab, worst % vocab, sample, n, nonFinite, front[0], front[1]);
    }

    /** Buckets of the front's pre-filter: the top 16 bits of |ref|'s double bits (the sign bit is always clear). */
    private static final int FRONT_BUCKETS = 1 << 15;

    /**
     * The pre-filter's bucket of |ref|: 16 per power of two, from the exponent and the top 4 mantissa bits of the
     * double. Never decreasing in the order of the front's packed sort (the bits of |ref| rounded down to float), which
     * is all the pre-filter needs: a point whose |Δ| does not exceed that of a point in a lower bucket is dominated by
     * it or ties it in |ref| with a larger |Δ|, so it never decides the front.
     */
    private static int frontBucket(double magnitude) {
        return (int) (Double.doubleToRawLongBits(magnitude) >>> 48);
    }

    /**
     * |x| with the sign bit cleared, a NaN's too: Java 17's {@code Math.abs} keeps a NaN's sign until the JIT compiles
     * it, and both passes must put every point in the same bucket.
     */
    private static double magnitude(double x) {
        return Double.longBitsToDouble(Double.doubleToRawLongBits(x) & Long.MAX_VALUE);
    }

    /** |cand - ref| as the comparison counts it: +Inf where the candidate is not finite or the difference is NaN. */
    private static double absError(double ref, double cand) {
        double d = Math.abs(cand - ref);
        return !Double.isFinite(cand) || Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
    }

    /**
     * The Pareto front of (|ref|, |Δ|): only the points whose rounded-up |Δ| exceeds the largest of every lower bucket
     * ({@code below}) may be on it (see {@link ParetoFront#of}); they are collected and sorted.
     */
    private static double[][] frontOf(double[] ref, double[] cand, float[] below) {
        long[] packed = new long[64];
        int kept = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = absError(ref[i], cand[i]);
            double r = magnitude(ref[i]);
            if (!(d > 0) || !(d > below[frontBucket(r)])) continue;   // as roundUp(d) > below[...]
            if (kept == packed.length) packed = java.util.Arrays.copyOf(packed, kept * 2);
            packed[kept++] = ParetoFront.pack(ParetoFront.roundDown(r), ParetoFront.roundUp(d));
        }
        return ParetoFront.ofCandidates(packed, kept);
    }

    /** Batch-by-batch comparison of equally shaped lists, merged. */
    public static LogitError compareAll(List<Logits> references, List<Logits> candidates, ComputeDtype candidateDtype) {
        if (references.size() != candidates.size() || references.isEmpty()) {
            throw new IllegalArgumentException("need the same, non-zero number of reference and candidate batches");
        }
        LogitError e = compare(references.get(0), candidates.get(0), candidateDtype);
        for (int i = 1; i < references.size(); i++) e = e.merge(compare(references.get(i), candidates.get(i), candidateDtype));
        return e;
    }

    /** Distance in ULPs of {@code dtype} between {@code ref} rounded to dtype and {@code cand}. */
    static long ulps(double ref, double cand, ComputeDtype dtype) {
        return switch (dtype) {
            case FLOAT64 -> Math.abs(ordinal64(Double.doubleToRawLongBits(ref)) - ordinal64(Double.doubleToRawLongBits(cand)));
            case FLOAT32 -> Math.abs((long) ordinal32(Float.floatToRawIntBits((float) ref)) - ordinal32(Float.floatToRawIntBits((float) cand)));
            case FLOAT16 -> Math.abs(ordinal16(HalfFloats.floatToF16((float) ref)) - ordinal16(HalfFloats.floatToF16((float) cand)));
        };
    }

    // sign-magnitude bits to a number line where one ulp is one step and -0 = +0: -(magnitude) for a negative sign,
    // written without branches ((m ^ s) - s is -m when s = -1, m when s = 0): logit signs are a coin toss to a predictor

    private static long ordinal64(long bits) {
        long s = bits >> 63;
        return ((bits & Long.MAX_VALUE) ^ s) - s;
    }

    private static long ordinal32(int bits) {
        long s = bits >> 31;
        return ((bits & 0x7FFFFFFFL) ^ s) - s;
    }

    private static long ordinal16(short bits) {
        long s = -(long) ((bits >>> 15) & 1);
        return ((bits & 0x7FFFL) ^ s) - s;
    }
}
