package dev.editgate.core.contract;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.safetensors.Tensor;
import java.util.Map;

/**
 * A rank-one update {@code ΔW = value ⊗ key} of one {@code [out, in]} weight: {@code ΔW x = value · (key · x)}.
 * A key-value edit chooses {@code key} so that {@code key · k* = 1} for the key vector {@code k*} it edits, so the
 * matrix maps {@code k*} to its old output plus {@code value}.
 *
 * @param tensor the weight's name in the checkpoint
 * @param value  {@code [out]}
 * @param key    {@code [in]}
 */
public record RankOneUpdate(String tensor, double[] value, double[] key) {

    /** The dense delta {@code [out, in]}, row-major. */
    public double[] delta() {
        double[] d = new double[value.length * key.length];
        for (int r = 0; r < value.length; r++) {
            for (int c = 0; c < key.length; c++) d[r * key.length + c] = value[r] * key[c];
        }
        return d;
    }

    /** The same key with the value multiplied by {@code factor}. */
    public RankOneUpdate scaled(double factor) {
        double[] v = value.clone();
        for (int i = 0; i < v.length; i++) v[i] *= factor;
        return new RankOneUpdate(tensor, v, key);
    }

    /** The same update written into another tensor of the same shape (e.g. the same role one layer off). */
    public RankOneUpdate into(String otherTensor) {
        return new RankOneUpdate(otherTensor, value, key);
    }

    /** {@code original} with this update added to its tensor (rounded once to the tensor's dtype). */
    public Checkpoint applyTo(Checkpoint original) {
        Tensor t = original.tensor(tensor);
        WeightMatrix w = WeightMatrix.of(original, tensor);
        return original.withTensors(Map.of(tensor, w.plus(delta()).toTensor(t)));
    }
}
