package dev.editgate.gate.stage;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.model.BlockKind;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.core.tolerance.LogitComparison;
import dev.editgate.core.tolerance.LogitError;
import dev.editgate.gate.ForwardRuntime;
import dev.editgate.gate.GateSession;
import dev.editgate.gate.kind.EditKinds;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The behavioural equivariance of an MLP neuron permutation: ablating neurons S in the original equals ablating
 * {i : p[i] in S} in the edited model (old neuron p[i] is new neuron i). A neuron is ablated by zeroing its slice of
 * the output projection (down_proj / dense_4h_to_h column, GPT-2 c_proj row), which removes exactly its contribution.
 * S is the first half of the neurons p moves (at least one), so every non-identity p ablates neurons it moved. Both
 * sides run in the compute dtype from the edited layer on, so the allowed difference is twice the functional tolerance.
 */
final class NeuronAblationProbe {
    private NeuronAblationProbe() {}

    static List<GateProperty<?>> properties(GateSession s, double tolerance) {
        ForwardRuntime rt = s.forward();
        int layer = s.layer();
        Checkpoint original = s.original();
        return List.of(new GateProperty<Permutation>("neuron ablations follow the weights (equivariance)",
                "ablating neurons S of the original (S: half of the neurons p moves) and {i : p[i] in S} of the edited model gives the same logits"
                        + " within " + String.format("%.3g", tolerance) + " (twice the functional tolerance)",
                EditKinds.MLP_PERMUTATION.generator(original, layer), s.config().tries(), p -> {
                    Set<Integer> ablatedOld = half(p);
                    if (ablatedOld.isEmpty()) return;
                    Set<Integer> ablatedNew = new TreeSet<>();
                    for (int i = 0; i < p.size(); i++) if (ablatedOld.contains(p.apply(i))) ablatedNew.add(i);
                    Checkpoint a = ablate(original, layer, ablatedOld);
                    Checkpoint b = ablate(s.applyEdit(p), layer, ablatedNew);
                    try (TransformerForward fa = rt.original().withLayerReplaced(layer, a);
                         TransformerForward fb = rt.original().withLayerReplaced(layer, b)) {
                        for (int i = 0; i < rt.prompts(); i++) {
                            Logits la = fa.logitsFrom(layer, rt.residuals(i)), lb = fb.logitsFrom(layer, rt.residuals(i));
                            LogitError err = LogitComparison.compare(la, lb, rt.original().dtype());
                            if (!(err.maxAbs() <= tolerance)) {
                                throw new AssertionError("prompt " + i + ": ablating old neurons " + ablatedOld + " in the original and new neurons "
                                        + ablatedNew + " in the edited model differ by max |Δlogit| " + err.maxAbs() + " > " + tolerance
                                        + ": the edited model's neuron i does not do what the original's neuron p[i] did");
                            }
                        }
                    }
                }, p -> "", Permutation::toCycleString, Permutation::toArray));
    }

    /** The first half (rounded up) of the old neurons p moves, ascending. */
    static Set<Integer> half(Permutation p) {
        List<Integer> moved = new java.util.ArrayList<>();
        for (int i = 0; i < p.size(); i++) if (p.apply(i) != i) moved.add(p.apply(i));
        moved.sort(null);
        return new TreeSet<>(moved.subList(0, (moved.size() + 1) / 2));
    }

    /** {@code ck} with the output-projection slices of {@code neurons} of {@code layer} set to zero. */
    static Checkpoint ablate(Checkpoint ck, int layer, Set<Integer> neurons) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (BlockSet set : ck.layout().neurons(layer).parts()) {
            if (set.kind() != BlockKind.MLP_OUT) continue;
            Tensor t = out.getOrDefault(set.tensor(), ck.tensor(set.tensor()));
            ByteBuffer data = ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
            data.put(t.data()).clear();
            int cols = t.rank() == 2 ? t.dim(1) : 1, es = t.dtype().byteSize();
            for (int n : neurons) {
                int outer = set.axis() == 0 ? set.length() : t.dim(0), inner = set.axis() == 0 ? cols : set.length();
                for (int a = 0; a < outer; a++) {
                    for (int b = 0; b < inner; b++) {
                        long idx = set.axis() == 0 ? (long) (set.start(n) + a) * cols + b : (long) a * cols + set.start(n) + b;
                        for (int k = 0; k < es; k++) data.put(Math.toIntExact(idx * es + k), (byte) 0);
                    }
                }
            }
            out.put(set.tensor(), new Tensor(t.name(), t.dtype(), t.shape(), data));
        }
        return ck.withTensors(out);
    }
}
