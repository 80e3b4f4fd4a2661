package dev.editgate.core.safetensors;

import static dev.editgate.core.safetensors.HalfFloats.bf16ToFloat;
import static dev.editgate.core.safetensors.HalfFloats.f16ToFloat;
import static dev.editgate.core.safetensors.HalfFloats.floatToBf16;
import static dev.editgate.core.safetensors.HalfFloats.floatToF16;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    static int f16(float f) { return floatToF16(f) & 0xFFFF; }

    static int bf16(float f) { return floatToBf16(f) & 0xFFFF; }

    static float p2(int e) { return (float) Math.scalb(1.0, e); }

    @Test
    void f16KnownBitPatterns() {
        assertThat(f16(1.0f)).isEqualTo(0x3C00);
        assertThat(f16(-2.0f)).isEqualTo(0xC000);
        assertThat(f16(0.1f)).isEqualTo(0x2E66);
        assertThat(f16(0.0f)).isEqualTo(0x0000);
        assertThat(f16(-0.0f)).isEqualTo(0x8000);
        assertThat(f16(65504f)).isEqualTo(0x7BFF);                 // max half
        assertThat(f16(65519.99f)).isEqualTo(0x7BFF);
        assertThat(f16(65520f)).isEqualTo(0x7C00);                 // halfway to 65536: ties to even = inf
        assertThat(f16(1e6f)).isEqualTo(0x7C00);
        assertThat(f16(Float.POSITIVE_INFINITY)).isEqualTo(0x7C00);
        assertThat(f16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFC00);
        assertThat(f16(Float.NaN)).isEqualTo(0x7E00);
        assertThat(f16(Float.intBitsToFloat(0x7F800001)) & 0x7C00).isEqualTo(0x7C00); // payload-only NaN stays NaN
        assertThat(f16(Float.intBitsToFloat(0x7F800001)) & 0x3FF).isNotZero();
        // round to nearest even on normals
        assertThat(f16(1 + p2(-11))).isEqualTo(0x3C00);           // tie, even down
        assertThat(f16(1 + 3 * p2(-11))).isEqualTo(0x3C02);       // tie, even up
        assertThat(f16(1 + p2(-11) + p2(-20))).isEqualTo(0x3C01); // above the tie
        // subnormals
        assertThat(f16(p2(-24))).isEqualTo(0x0001);               // smallest subnormal
        assertThat(f16(p2(-25))).isEqualTo(0x0000);               // tie to even: 0
        assertThat(f16(1.5f * p2(-25))).isEqualTo(0x0001);
        assertThat(f16(3 * p2(-25))).isEqualTo(0x0002);           // tie between 1 and 2: even
        assertThat(f16(5 * p2(-25))).isEqualTo(0x0002);           // tie between 2 and 3: even
        assertThat(f16(-p2(-24))).isEqualTo(0x8001);
        assertThat(f16(1023 * p2(-24))).isEqualTo(0x03FF);        // largest subnormal
        assertThat(f16(p2(-14) - p2(-25))).isEqualTo(0x0400);     // tie between 0x3FF and min normal: even
        assertThat(f16(p2(-14))).isEqualTo(0x0400);               // min normal
        assertThat(f16(p2(-30))).isEqualTo(0x0000);
        assertThat(f16(Float.MIN_VALUE)).isEqualTo(0x0000);
    }

    @Test
    void f16DecodesKnownBitPatterns() {
        assertThat(f16ToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(f16ToFloat((short) 0x0001)).isEqualTo(p2(-24));
        assertThat(f16ToFloat((short) 0x03FF)).isEqualTo(1023 * p2(-24));
        assertThat(f16ToFloat((short) 0x0400)).isEqualTo(p2(-14));
        assertThat(f16ToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(f16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(f16ToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(f16ToFloat((short) 0x7E00)).isNaN();
        assertThat(Float.floatToRawIntBits(f16ToFloat((short) 0x8000))).isEqualTo(0x80000000);
        assertThat(f16ToFloat((short) 0x8001)).isEqualTo(-p2(-24));
    }

    @Test
    void everyF16RoundTripsThroughFloat() {
        for (int h = 0; h < 0x10000; h++) {
            float f = f16ToFloat((short) h);
            if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0) {
                assertThat(f).isNaN();
                assertThat(Float.isNaN(f16ToFloat(floatToF16(f)))).isTrue();
            } else {
                assertThat(f16(f)).as("0x%04X", h).isEqualTo(h);
            }
        }
    }

    /** Independent reference: the nearest of the two neighbouring halves (exact in double), ties to the even one. */
    static int referenceF16(float f) {
        int sign = f < 0 || (f == 0 && 1 / f < 0) ? 0x8000 : 0;
        double a = Math.abs((double) f);
        int lo = 0, hi = 0x7BFF;
        if (a >= 65520) return sign | 0x7C00;
        while (lo < hi) { // largest h with value(h) <= a
            int mid = (lo + hi + 1) >>> 1;
            if (f16ToFloat((short) mid) <= a) lo = mid; else hi = mid - 1;
        }
        if (lo == 0x7BFF) return sign | lo;
        double below = f16ToFloat((short) lo), above = f16ToFloat((short) (lo + 1));
        double dl = a - below, du = above - a;
        int h = dl < du ? lo : dl > du ? lo + 1 : ((lo & 1) == 0 ? lo : lo + 1);
        return sign | h;
    }

    @Test
    void f16RoundingMatchesAReferenceOnRandomFloats() {
        SplittableRandom rng = new SplittableRandom(42);
        for (int t = 0; t < 200_000; t++) {
            // exponents spanning underflow, subnormals, normals and overflow
            float f = (float) (rng.nextDouble(-1, 1) * Math.scalb(1.0, rng.nextInt(-28, 18)));
            assertThat(f16(f)).as("%s (0x%08X)", f, Float.floatToRawIntBits(f)).isEqualTo(referenceF16(f));
        }
        for (int h = 0; h < 0x7C00; h++) { // exact midpoints between every pair of neighbours
            float mid = (float) ((f16ToFloat((short) h) + (double) f16ToFloat((short) (h + 1))) / 2);
            assertThat(f16(mid)).as("midpoint after 0x%04X", h).isEqualTo(referenceF16(mid));
        }
    }

    @Test
    void bf16KnownBitPatterns() {
        assertThat(bf16(1.0f)).isEqualTo(0x3F80);
        assertThat(bf16(-2.0f)).isEqualTo(0xC000);
        assertThat(bf16(-0.0f)).isEqualTo(0x8000);
        assertThat(bf16(1 + p2(-8))).isEqualTo(0x3F80);            // tie, even down
        assertThat(bf16(1 + 3 * p2(-8))).isEqualTo(0x3F82);        // tie, even up
        assertThat(bf16(1 + p2(-8) + p2(-20))).isEqualTo(0x3F81);
        assertThat(bf16(Float.MAX_VALUE)).isEqualTo(0x7F80);       // rounds up to inf, as torch does
        assertThat(bf16(Float.POSITIVE_INFINITY)).isEqualTo(0x7F80);
        assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFF80);
        assertThat(bf16(Float.NaN)).isEqualTo(0x7FC0);
        assertThat(bf16(Float.intBitsToFloat(0x7F800001))).isEqualTo(0x7FC0); // low-payload NaN stays NaN
        assertThat(bf16(Float.intBitsToFloat(0xFF800001))).isEqualTo(0xFFC0);
        assertThat(bf16(Float.intBitsToFloat(0x00018000))).isEqualTo(0x0002); // subnormal tie, even up
        assertThat(bf16(Float.intBitsToFloat(0x00008000))).isEqualTo(0x0000); // subnormal tie, even down
        assertThat(bf16(Float.intBitsToFloat(0x00008001))).isEqualTo(0x0001);
        assertThat(bf16(Float.MIN_VALUE)).isEqualTo(0x0000);
        assertThat(bf16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(bf16ToFloat((short) 0x0001)).isEqualTo(Float.intBitsToFloat(0x00010000));
        assertThat(bf16ToFloat((short) 0xFF80)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(bf16ToFloat((short) 0x7FC0)).isNaN();
    }

    @Test
    void everyBf16RoundTripsAndRoundingIsNearestEven() {
        for (int h = 0; h < 0x10000; h++) {
            float f = bf16ToFloat((short) h);
            if (Float.isNaN(f)) assertThat(bf16ToFloat(floatToBf16(f))).isNaN();
            else assertThat(bf16(f)).as("0x%04X", h).isEqualTo(h);
        }
        SplittableRandom rng = new SplittableRandom(9);
        for (int t = 0; t < 200_000; t++) {
            int bits = rng.nextInt();
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) continue;
            int lo = bits >>> 16;
            int rem = bits & 0xFFFF;
            int expected = rem > 0x8000 || (rem == 0x8000 && (lo & 1) == 1) ? lo + 1 : lo;
            assertThat(bf16(f)).as("0x%08X", bits).isEqualTo(expected & 0xFFFF);
        }
    }
}
