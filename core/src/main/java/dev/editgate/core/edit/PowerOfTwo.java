package dev.editgate.core.edit;

import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.HalfFloats;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Multiplication by powers of two on the stored dtype (F64, F32, F16, BF16): exact whenever the result is a normal
 * number or zero, which {@link #safeRange} guarantees for the exponents a generator proposes.
 */
public final class PowerOfTwo {
    private PowerOfTwo() {}

    /** {@code out[.., r, ..] = t[.., r, ..] * 2^exps[r]} along {@code axis} (0 or 1) of a rank-1 or rank-2 tensor. */
    public static Tensor scaleAlong(Tensor t, int axis, int[] exps) {
        if (t.dim(axis) != exps.length) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': " + exps.length + " exponents for axis " + axis + " of length " + t.dim(axis));
        }
        int n = Math.toIntExact(t.numel());
        int cols = t.rank() == 2 ? t.dim(1) : 1;
        ByteBuffer in = t.data();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < n; k++) {
            int e = axis == 0 ? exps[k / cols] : exps[k % cols];
            switch (t.dtype()) {
                case F64 -> out.putDouble(k * 8, Math.scalb(in.getDouble(k * 8), e));
                case F32 -> out.putFloat(k * 4, Math.scalb(in.getFloat(k * 4), e));
                case F16 -> out.putShort(k * 2, HalfFloats.floatToF16(Math.scalb(HalfFloats.f16ToFloat(in.getShort(k * 2)), e)));
                case BF16 -> out.putShort(k * 2, HalfFloats.floatToBf16(Math.scalb(HalfFloats.bf16ToFloat(in.getShort(k * 2)), e)));
                default -> throw new IllegalArgumentException("tensor '" + t.name() + "': cannot scale dtype " + t.dtype() + " (expected a float type)");
            }
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), out);
    }

    /** The smallest and largest binary exponents of normal numbers of {@code dtype}. */
    static int[] normalExponents(DType dtype) {
        return switch (dtype) {
            case F64 -> new int[] {-1022, 1023};
            case F32, BF16 -> new int[] {-126, 127};
            case F16 -> new int[] {-14, 15};
            default -> throw new IllegalArgumentException("no power-of-two scaling for dtype " + dtype);
        };
    }

    /**
     * {@code {lo, hi}}: every exponent e in lo..hi multiplies every value of block {@code [start, start+length)} along
     * {@code axis} by 2^e exactly: no value overflows, every normal value stays normal, and a subnormal value (fp16
     * weights hold some) is only ever scaled up, which shifts its few bits without losing any. lo <= 0 <= hi always.
     */
    public static int[] safeRange(Tensor t, int axis, int start, int length) {
        int[] bounds = normalExponents(t.dtype());
        int lo = Integer.MIN_VALUE, hi = Integer.MAX_VALUE;
        int cols = t.rank() == 2 ? t.dim(1) : 1, rows = t.dim(0);
        int outer = axis == 0 ? length : rows, inner = axis == 0 ? cols : length;
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                long k = axis == 0 ? (long) (start + a) * cols + b : (long) a * cols + start + b;
                double v = t.getDouble(k);
                if (v == 0 || !Double.isFinite(v)) continue;
                int x = Math.getExponent(v);
                hi = Math.min(hi, bounds[1] - x);              // no overflow
                // a normal value must stay normal; a subnormal one may only grow (exact: its few bits shift up)
                lo = Math.max(lo, x >= bounds[0] ? bounds[0] - x : 0);
            }
        }
        if (lo > 0 || hi < 0) return new int[] {0, 0};
        return new int[] {Math.max(lo, -1000), Math.min(hi, 1000)};
    }
}
