package dev.editgate.core.safetensors;

/** Bit conversions between float and the 16-bit formats (IEEE half, bfloat16), round to nearest even. */
public final class HalfFloats {
    private HalfFloats() {}

    /** bfloat16 bits to float: exact, the bf16 bits are the float's top 16 bits. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float to bfloat16 bits, round to nearest even; NaN stays NaN. */
    public static short floatToBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((x >>> 16) | 0x40);
        int rounding = 0x7FFF + ((x >>> 16) & 1);
        return (short) ((x + rounding) >>> 16);
    }

    /** IEEE binary16 bits to float (exact). */
    public static float f16ToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** float to IEEE binary16 bits, round to nearest even, overflow to infinity. */
    public static short floatToF16(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int exp = (x >>> 23) & 0xFF;
        int mant = x & 0x7FFFFF;
        if (exp == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) return (short) (sign | 0x7C00);
        if (e <= 0) {
            if (e < -10) return (short) sign;
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) == 1)) half++;
            return (short) (sign | half);
        }
        int h = sign | (e << 10) | (mant >>> 13);
        int rem = mant & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1)) h++;
        return (short) h;
    }

    /** A float tensor with every value rounded through IEEE half precision; F16 and non-float tensors are returned as they are. */
    public static Tensor roundThroughF16(Tensor t) {
        if (t.dtype() == DType.F16 || !t.dtype().isFloating()) return t;
        int n = Math.toIntExact(t.numel());
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            float r = f16ToFloat(floatToF16((float) t.getDouble(i)));
            switch (t.dtype()) {
                case F32 -> out.putFloat(i * 4, r);
                case F64 -> out.putDouble(i * 8, r);
                case BF16 -> out.putShort(i * 2, floatToBf16(r));
                default -> throw new IllegalStateException("unexpected dtype " + t.dtype());
            }
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }
}
