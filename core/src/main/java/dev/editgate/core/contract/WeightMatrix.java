package dev.editgate.core.contract;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.model.TensorRole;
import dev.editgate.core.model.TensorSpec;
import dev.editgate.core.safetensors.Tensor;
import java.util.Arrays;

/**
 * A 2-D weight read as a torch Linear {@code [out, in]} matrix of doubles, whatever its storage: GPT-2's Conv1D
 * stores {@code [in, out]} ({@link TensorSpec#inOut()}) and is transposed on the way in and back on the way out.
 * Edits compute their delta on this view and write it back in the tensor's own dtype (rounded once).
 *
 * @param values row-major {@code [rows = out, cols = in]}
 */
public record WeightMatrix(String name, int rows, int cols, boolean inOut, double[] values) {

    public WeightMatrix {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException("weight '" + name + "': " + values.length + " values for [" + rows + ", " + cols + "]");
        }
    }

    /** The weight of {@code role} in {@code layer}, as {@code [out, in]}. */
    public static WeightMatrix of(Checkpoint ck, TensorRole role, int layer) {
        String name = ck.layout().name(role, layer);
        if (name == null) throw new IllegalArgumentException("the " + ck.config().modelType() + " model has no " + role + " in layer " + layer);
        return of(ck, name);
    }

    /** The 2-D tensor {@code name}, as {@code [out, in]} (transposed when the family stores it {@code [in, out]}). */
    public static WeightMatrix of(Checkpoint ck, String name) {
        Tensor t = ck.tensor(name);
        if (t.rank() != 2) throw new IllegalArgumentException("tensor '" + name + "' is not a matrix: shape " + Arrays.toString(t.shape()));
        boolean inOut = ck.layout().tensorTable().stream().anyMatch(s -> s.name().equals(name) && s.inOut());
        double[] stored = t.toDoubleArray();                     // [d0, d1]
        int d0 = t.dim(0), d1 = t.dim(1);
        if (!inOut) return new WeightMatrix(name, d0, d1, false, stored);
        double[] v = new double[stored.length];                  // [out = d1, in = d0]
        for (int i = 0; i < d0; i++) {
            for (int o = 0; o < d1; o++) v[o * d0 + i] = stored[i * d1 + o];
        }
        return new WeightMatrix(name, d1, d0, true, v);
    }

    public double get(int r, int c) { return values[r * cols + c]; }

    /** A copy with {@code delta} ({@code [out, in]}, same shape) added. */
    public WeightMatrix plus(double[] delta) {
        if (delta.length != values.length) throw new IllegalArgumentException("delta for '" + name + "' has " + delta.length + " values, expected " + values.length);
        double[] v = values.clone();
        for (int i = 0; i < v.length; i++) v[i] += delta[i];
        return new WeightMatrix(name, rows, cols, inOut, v);
    }

    /** The matrix as a tensor shaped and typed like {@code like} (transposed back for {@code [in, out]} storage). */
    public Tensor toTensor(Tensor like) {
        double[] stored = values;
        if (inOut) {
            stored = new double[values.length];                  // [in = cols, out = rows]
            for (int o = 0; o < rows; o++) {
                for (int i = 0; i < cols; i++) stored[i * rows + o] = values[o * cols + i];
            }
        }
        return Tensor.of(like.name(), like.dtype(), like.shape(), stored);
    }

    /** Frobenius norm. */
    public double frobenius() {
        double s = 0;
        for (double x : values) s += x * x;
        return Math.sqrt(s);
    }
}
