package dev.editgate.core.tolerance;

import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.safetensors.HalfFloats;
import java.util.List;

/** Compares candidate logits with reference logits (usually a float64 run of the original model). */
public final class LogitComparison {
    private LogitComparison() {}

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
        double[] absRef = new double[n];
        double[] absErr = new double[n];
        for (int row = 0; row < n / vocab; row++) {
            int from = row * vocab;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            double rowMax = 0;
            for (int i = from; i < from + vocab; i++) {
                lo = Math.min(lo, ref[i]);
                hi = Math.max(hi, ref[i]);
                double d = Math.abs(cand[i] - ref[i]);
                if (!Double.isFinite(cand[i]) || Double.isNaN(d)) {
                    nonFinite++;
                    d = Double.POSITIVE_INFINITY;
                } else {
                    sum += d;
                    finite++;
                    maxUlps = Math.max(maxUlps, ulps(ref[i], cand[i], candidateDtype));
                }
                if (d > maxAbs) {
                    maxAbs = d;
                    worst = i;
                }
                rowMax = Math.max(rowMax, d);
                absRef[i] = Math.abs(ref[i]);
                absErr[i] = d;
            }
            double range = hi - lo;
            maxRel = Math.max(maxRel, range > 0 ? rowMax / range : (rowMax > 0 ? Double.POSITIVE_INFINITY : 0));
        }
        int samples = Math.min(n, LogitError.SAMPLE);
        double[] sample = new double[samples];
        for (int s = 0; s < samples; s++) sample[s] = absErr[(int) ((long) s * n / samples)];
        double[][] front = ParetoFront.of(absRef, absErr);
        int per = reference.seq() * vocab;
        return new LogitError(maxAbs, maxRel, finite == 0 ? 0 : sum / finite, maxUlps,
                worst / per, (worst % per) / vocab, worst % vocab, sample, n, nonFinite, front[0], front[1]);
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

    private static long ordinal64(long bits) { return bits < 0 ? Long.MIN_VALUE - bits : bits; }

    private static long ordinal32(int bits) { return bits < 0 ? -(long) (bits & 0x7FFFFFFF) : bits; }

    private static long ordinal16(short bits) {
        int b = bits & 0xFFFF;
        return (b & 0x8000) != 0 ? -(long) (b & 0x7FFF) : b;
    }
}
