package dev.editgate.gate.stage;

import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.LayerTrace;
import dev.editgate.gate.ForwardRuntime;
import java.util.ArrayList;
import java.util.List;

/**
 * A tight bound on the edited layer's output alone: the residual stream after layer L of an edited model
 * may differ from the original's (same dtype) by at most {@code factor} times the dtype's own error at
 * that point (original in the dtype vs in float64), plus a floor of a few units in the last place of the
 * largest activation. Layer-local, so a wrong edit is seen before later layers blur it.
 */
final class LayerLocalBound {
    private final ForwardRuntime rt;
    private final int layer;
    private final List<double[]> originalOut;
    private final double bound;
    private final double baseline;

    private LayerLocalBound(ForwardRuntime rt, int layer, List<double[]> originalOut, double baseline, double bound) {
        this.rt = rt;
        this.layer = layer;
        this.originalOut = originalOut;
        this.baseline = baseline;
        this.bound = bound;
    }

    static LayerLocalBound calibrate(ForwardRuntime rt, int layer, double factor) {
        List<double[]> outs = new ArrayList<>();
        double baseline = 0;
        double largest = 0;
        for (int i = 0; i < rt.prompts(); i++) {
            // the streams leaving the layer, cached by the runtime (what trace(...).residualOut() recomputes, bit for bit)
            double[] ref = rt.referenceResiduals(i).before(layer + 1); // [1, T, hidden] flattened
            double[] out = rt.residuals(i).before(layer + 1);          // [1, T, hidden] flattened
            outs.add(out);
            for (int j = 0; j < out.length; j++) {
                baseline = Math.max(baseline, Math.abs(out[j] - ref[j]));
                largest = Math.max(largest, Math.abs(ref[j]));
            }
        }
        double floor = 4 * Math.ulp((float) largest);
        return new LayerLocalBound(rt, layer, outs, baseline, factor * baseline + floor);
    }

    String describe() {
        return String.format("%.3g (%.3g × the dtype's own error %.3g, plus 4 ulp of the largest activation)",
                bound, FunctionalStage.LAYER_LOCAL_FACTOR, baseline);
    }

    void check(TransformerForward edited) {
        for (int i = 0; i < rt.prompts(); i++) {
            double[] out = edited.layerOutputFrom(layer, rt.residuals(i)); // [1, T, hidden] flattened; layer L alone
            double[] want = originalOut.get(i);
            int hidden = rt.original().config().hiddenSize();
            for (int j = 0; j < out.length; j++) {
                double d = Math.abs(out[j] - want[j]);
                if (!(d <= bound)) {
                    throw new AssertionError(String.format(
                            "prompt %d, position %d, channel %d: layer %d output differs by %.4g, bound %.4g (original %.6g, edited %.6g)",
                            i, j / hidden, j % hidden, layer, d, bound, want[j], out[j]));
                }
            }
        }
    }
}
