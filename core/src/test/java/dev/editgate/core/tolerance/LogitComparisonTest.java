package dev.editgate.core.tolerance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.safetensors.HalfFloats;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The single-pass {@link LogitComparison#compare} computes exactly what the comparison did before it (kept here as
 * {@link #byArrays}: element-wise |ref| and |Δ| arrays, then {@link ParetoFront#of}), field for field and bit for bit,
 * on random logits of every dtype with NaN, infinities, signed zeros, constant rows and exact matches.
 */
class LogitComparisonTest {

    /** The comparison before the single pass, verbatim. */
    static LogitError byArrays(Logits reference, Logits candidate, ComputeDtype candidateDtype) {
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
                    maxUlps = Math.max(maxUlps, ulpsWithBranches(ref[i], cand[i], candidateDtype));
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

    /** The ULP distance before the branch-free ordinals, verbatim. */
    static long ulpsWithBranches(double ref, double cand, ComputeDtype dtype) {
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

    @Test
    void ulpDistancesEqualTheOnesWithBranchesForEveryDtype() {
        Random random = new Random(3);
        double[] special = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, 6e-8, -6e-8,
            65504, -65504, 65520, 1e300, -1e300, Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NaN, 1.0, -1.0};
        for (ComputeDtype dtype : ComputeDtype.values()) {
            for (int k = 0; k < 200_000; k++) {
                double a = k % 3 == 0 ? special[random.nextInt(special.length)] : Double.longBitsToDouble(random.nextLong());
                double b = k % 2 == 0 ? special[random.nextInt(special.length)]
                        : k % 5 == 0 ? Double.longBitsToDouble(random.nextLong()) : a + random.nextGaussian() * Math.abs(a) * 1e-3;
                assertThat(LogitComparison.ulps(a, b, dtype)).as("%s ulps(%s, %s)", dtype, a, b).isEqualTo(ulpsWithBranches(a, b, dtype));
            }
        }
    }

    @Test
    void theSinglePassEqualsTheComparisonByArraysOnRandomLogitsOfEveryDtype() {
        Random random = new Random(11);
        int round = 0;
        for (ComputeDtype dtype : ComputeDtype.values()) {
            for (int k = 0; k < 150; k++, round++) {
                int batch = 1 + random.nextInt(3);
                int seq = 1 + random.nextInt(5);
                int vocab = k % 25 == 0 ? 20_000 + random.nextInt(40_000) : 1 + random.nextInt(400);
                Logits ref = new Logits(batch, seq, vocab, new double[batch * seq * vocab]);
                Logits cand = new Logits(batch, seq, vocab, new double[batch * seq * vocab]);
                fill(ref.values(), cand.values(), dtype, k % 10, random);
                LogitError want = byArrays(ref, cand, dtype);
                LogitError got = LogitComparison.compare(ref, cand, dtype);
                assertSame(got, want, String.format("%s round %d (kind %d, [%d, %d, %d])", dtype, round, k % 10, batch, seq, vocab));
            }
        }
    }

    @Test
    void mergedComparisonsOfSeveralBatchesAgreeToo() {
        Random random = new Random(5);
        for (ComputeDtype dtype : ComputeDtype.values()) {
            Logits[] refs = new Logits[3];
            Logits[] cands = new Logits[3];
            for (int b = 0; b < 3; b++) {
                int seq = 1 + random.nextInt(6);
                refs[b] = new Logits(1, seq, 3000, new double[seq * 3000]);
                cands[b] = new Logits(1, seq, 3000, new double[seq * 3000]);
                fill(refs[b].values(), cands[b].values(), dtype, b == 2 ? 5 : 0, random);
            }
            LogitError want = byArrays(refs[0], cands[0], dtype).merge(byArrays(refs[1], cands[1], dtype)).merge(byArrays(refs[2], cands[2], dtype));
            LogitError got = LogitComparison.compareAll(java.util.List.of(refs), java.util.List.of(cands), dtype);
            assertSame(got, want, dtype + " merged");
        }
    }

    /** x86 arithmetic makes NaNs with the sign bit set; the comparison treats them as any NaN, in every dtype. */
    @Test
    void aNegativeNaNInTheReferenceCountsAsAnyNaN() {
        Random random = new Random(9);
        double negativeNaN = Double.longBitsToDouble(0xFFF8000000000000L);
        for (ComputeDtype dtype : ComputeDtype.values()) {
            Logits ref = new Logits(2, 3, 500, new double[3000]);
            Logits cand = new Logits(2, 3, 500, new double[3000]);
            fill(ref.values(), cand.values(), dtype, 0, random);
            Logits positive = new Logits(2, 3, 500, ref.values().clone());
            for (int i = 7; i < 3000; i += 301) {
                ref.values()[i] = negativeNaN;
                positive.values()[i] = Double.NaN;
            }
            assertSame(LogitComparison.compare(ref, cand, dtype), LogitComparison.compare(positive, cand, dtype), dtype + " NaN sign");
        }
    }

    /** Logit-like reference values and a candidate rounded to {@code dtype} plus noise; {@code kind} picks the oddities. */
    private static void fill(double[] ref, double[] cand, ComputeDtype dtype, int kind, Random random) {
        int n = ref.length;
        for (int i = 0; i < n; i++) {
            double r = switch (kind) {
                case 1 -> random.nextInt(5) - 2;                                     // ties, zeros, constant rows
                case 2 -> 3.0;                                                       // one value everywhere
                case 3 -> random.nextGaussian() * Math.pow(10, random.nextInt(12) - 6); // many magnitudes
                case 4 -> random.nextGaussian() * 1e5;                               // beyond fp16's range
                default -> random.nextGaussian() * 5;
            };
            ref[i] = r;
            double c = rounded(r, dtype);
            cand[i] = switch (kind) {
                case 6 -> r;                                                         // exact: every |Δ| is 0
                case 7 -> rounded(r + random.nextGaussian() * 1e-3 * Math.abs(r), dtype);   // error grows with |ref|
                default -> rounded(c + random.nextGaussian() * 1e-4, dtype);
            };
            if (random.nextInt(5) == 0) cand[i] = c;
        }
        if (kind == 5 || kind == 8 || kind == 9) {
            double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0};
            for (int j = 0; j < 1 + n / 50; j++) cand[random.nextInt(n)] = odd[random.nextInt(odd.length)];
            if (kind != 5) {   // the reference odd too (a broken reference must still be reported the same way)
                for (int j = 0; j < 1 + n / 100; j++) ref[random.nextInt(n)] = odd[random.nextInt(odd.length)];
            }
        }
    }

    private static double rounded(double v, ComputeDtype dtype) {
        return switch (dtype) {
            case FLOAT64 -> v;
            case FLOAT32 -> (float) v;
            case FLOAT16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16((float) v));
        };
    }

    private static void assertSame(LogitError got, LogitError want, String what) {
        assertBits(got.maxAbs(), want.maxAbs(), what + ": maxAbs");
        assertBits(got.maxRel(), want.maxRel(), what + ": maxRel");
        assertBits(got.meanAbs(), want.meanAbs(), what + ": meanAbs");
        assertThat(got.maxUlps()).as(what + ": maxUlps").isEqualTo(want.maxUlps());
        assertThat(new int[] {got.worstBatch(), got.worstPos(), got.worstToken()}).as(what + ": worst element")
                .containsExactly(want.worstBatch(), want.worstPos(), want.worstToken());
        assertThat(got.absErrorSample()).as(what + ": sample").isEqualTo(want.absErrorSample());
        assertThat(got.count()).as(what + ": count").isEqualTo(want.count());
        assertThat(got.nonFinite()).as(what + ": nonFinite").isEqualTo(want.nonFinite());
        assertThat(got.frontRef()).as(what + ": front |ref|").isEqualTo(want.frontRef());
        assertThat(got.frontAbs()).as(what + ": front |Δ|").isEqualTo(want.frontAbs());
        assertThat(got.toString()).as(what).isEqualTo(want.toString());
    }

    /** Equal bit for bit (NaN included). */
    private static void assertBits(double got, double want, String what) {
        assertThat(Double.doubleToRawLongBits(got)).as(what + ": " + got + " vs " + want).isEqualTo(Double.doubleToRawLongBits(want));
    }
}
