package dev.editgate.core.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor: dtype, shape (row-major) and its little-endian bytes.
 *
 * <p>{@code data} is a read-only view with position 0 and limit = {@link #byteSize()}; for tensors
 * read from a file it is a slice of a memory mapping, so nothing is copied onto the Java heap.
 */
public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {

    public Tensor {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("tensor name must not be empty");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
        }
        long expected = numel(shape) * dtype.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.remaining() + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + expected);
        }
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public long numel() { return numel(shape); }

    public long byteSize() { return numel() * dtype.byteSize(); }

    public int rank() { return shape.length; }

    /** Dimension {@code i} as an int (checked). */
    public int dim(int i) { return Math.toIntExact(shape[i]); }

    @Override
    public long[] shape() { return shape.clone(); }

    /** A fresh read-only little-endian view positioned at 0 (callers may move its position freely). */
    @Override
    public ByteBuffer data() { return data.duplicate().order(ByteOrder.LITTLE_ENDIAN); }

    /** Element {@code index} (flat, row-major) as a double; floating dtypes only. */
    public double getDouble(long index) {
        int i = Math.toIntExact(index);
        return switch (dtype) {
            case F64 -> data.getDouble(i * 8);
            case F32 -> data.getFloat(i * 4);
            case F16 -> HalfFloats.f16ToFloat(data.getShort(i * 2));
            case BF16 -> HalfFloats.bf16ToFloat(data.getShort(i * 2));
            default -> throw new UnsupportedOperationException("tensor '" + name + "' has dtype " + dtype
                    + ", which editgate reads only as raw bytes");
        };
    }

    /** All elements widened to double (a heap copy: for small tensors and tests). */
    public double[] toDoubleArray() {
        double[] out = new double[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) out[i] = getDouble(i);
        return out;
    }

    /** Bit-for-bit equality of dtype, shape and bytes (names may differ). */
    public boolean bitEquals(Tensor other) {
        return dtype == other.dtype && Arrays.equals(shape, other.shape) && data.equals(other.data);
    }

    /** The same bytes under another name. */
    public Tensor renamed(String newName) { return new Tensor(newName, dtype, shape, data); }

    /** Encodes doubles into a new off-heap tensor of a floating dtype (rounding to nearest even). */
    public static Tensor of(String name, DType dtype, long[] shape, double[] values) {
        if (values.length != numel(shape)) {
            throw new IllegalArgumentException("tensor '" + name + "': " + values.length + " values for shape " + Arrays.toString(shape));
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            switch (dtype) {
                case F64 -> buf.putDouble(v);
                case F32 -> buf.putFloat((float) v);
                case F16 -> buf.putShort(HalfFloats.floatToF16((float) v));
                case BF16 -> buf.putShort(HalfFloats.floatToBf16((float) v));
                default -> throw new IllegalArgumentException("tensor '" + name + "': cannot encode numbers as " + dtype);
            }
        }
        buf.flip();
        return new Tensor(name, dtype, shape, buf);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && bitEquals(t);
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + " " + dtype + Arrays.toString(shape); }
}
