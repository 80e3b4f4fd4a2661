package dev.editgate.core.contract;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.model.TensorRole;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The reference adapter merge: a rank-r LoRA delta {@code ΔW = B A} ({@code B [out, r]}, {@code A [r, in]}, Gaussian,
 * from {@code seed}) merged into one weight, scaled so that {@code ‖ΔW‖_F / ‖W‖_F = relative_size}.
 *
 * <p>Parameters: {@code layer}, {@code rank} (r), optional {@code role} (a {@link TensorRole} name such as
 * {@code Q_WEIGHT}, {@code O_WEIGHT}, {@code MLP_UP_WEIGHT}; default {@code O_WEIGHT}), {@code relative_size}
 * (default 0.02), {@code seed} (default 0).
 */
public final class MergedLoraEdit implements ContractEdit {
    public static final String NAME = "merged-lora";

    @Override
    public Checkpoint apply(Checkpoint original, EditRequest request) {
        int layer = request.intParam("layer");
        int rank = request.intParam("rank");
        String roleName = request.params().path("role").asText("O_WEIGHT").toUpperCase(Locale.ROOT);
        TensorRole role;
        try {
            role = TensorRole.valueOf(roleName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("edit '" + request.edit() + "': role '" + roleName + "' is not a tensor role; e.g. Q_WEIGHT, O_WEIGHT, MLP_UP_WEIGHT");
        }
        double relative = request.doubleParam("relative_size", 0.02);
        long seed = request.intParam("seed", 0);
        WeightMatrix w = WeightMatrix.of(original, role, layer);
        if (rank < 1 || rank > Math.min(w.rows(), w.cols())) {
            throw new IllegalArgumentException("edit '" + request.edit() + "': rank " + rank + " must be in 1.." + Math.min(w.rows(), w.cols()));
        }
        SplittableRandom r = new SplittableRandom(seed);
        double[] b = gaussian(r, w.rows() * rank);               // [out, r]
        double[] a = gaussian(r, rank * w.cols());               // [r, in]
        double[] delta = new double[w.values().length];          // [out, in] = B A
        for (int o = 0; o < w.rows(); o++) {
            for (int j = 0; j < rank; j++) {
                double bj = b[o * rank + j];
                for (int i = 0; i < w.cols(); i++) delta[o * w.cols() + i] += bj * a[j * w.cols() + i];
            }
        }
        double scale = relative * w.frobenius() / RankOneKeyValueEdit.norm(delta);
        for (int i = 0; i < delta.length; i++) delta[i] *= scale;
        return original.withTensors(Map.of(w.name(), w.plus(delta).toTensor(original.tensor(w.name()))));
    }

    private static double[] gaussian(SplittableRandom r, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
            out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        }
        return out;
    }
}
