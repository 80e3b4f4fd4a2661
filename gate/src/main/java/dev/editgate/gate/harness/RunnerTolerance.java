package dev.editgate.gate.harness;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.tolerance.CalibratedTolerance;
import dev.editgate.core.tolerance.ToleranceCalibration;
import dev.editgate.core.tolerance.TolerancePolicy;
import java.util.List;

/**
 * The tolerance a runner is judged by: the one editgate derives for the dtype the runner declares (its own forward in
 * that dtype against float64, on generated sequences, {@link TolerancePolicy.Derived} defaults). {@code bfloat16}
 * has no forward here (DJL has no bf16): it gets the float16 tolerance with factor and floor scaled by 8, the ratio of
 * the two types' unit roundoff (2^-8 against 2^-11).
 */
public final class RunnerTolerance {
    private RunnerTolerance() {}

    /** The compute dtype editgate calibrates for a runner's declared dtype. */
    public static ComputeDtype computeDtype(String declared) {
        return switch (declared) {
            case "float64" -> ComputeDtype.FLOAT64;
            case "float32" -> ComputeDtype.FLOAT32;
            case "float16", "bfloat16" -> ComputeDtype.FLOAT16;
            default -> throw new IllegalArgumentException("unknown runner dtype '" + declared + "'");
        };
    }

    public static CalibratedTolerance calibrate(Checkpoint ck, TransformerForward float64, String declared, List<int[][]> batches) {
        ComputeDtype dt = computeDtype(declared);
        TolerancePolicy.Derived policy = TolerancePolicy.Derived.defaults(dt);
        if (declared.equals("bfloat16")) policy = new TolerancePolicy.Derived(policy.factor() * 8, policy.absFloor() * 8);
        if (dt == ComputeDtype.FLOAT64) return ToleranceCalibration.calibrate(float64, float64, batches, policy);
        try (TransformerForward f = TransformerForward.load(ck, dt, "cpu")) {
            return ToleranceCalibration.calibrate(float64, f, batches, policy);
        }
    }
}
