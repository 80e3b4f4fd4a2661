package dev.editgate.core.edit;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies block actions to a checkpoint: per tensor and axis, one gather (the moves) then one power-of-two scaling
 * (the exponents, indexed by the new position). Bytes move through {@link Gather}; scaling is exact on the stored
 * dtype whenever the result is normal ({@link PowerOfTwo}). Tensors no action names are shared as they are.
 */
public final class BlockActions {
    private BlockActions() {}

    public static Checkpoint apply(Checkpoint original, List<BlockAction> actions) {
        Map<String, Map<Integer, List<BlockAction>>> byTensor = new LinkedHashMap<>();
        for (BlockAction a : actions) {
            byTensor.computeIfAbsent(a.set().tensor(), k -> new LinkedHashMap<>()).computeIfAbsent(a.set().axis(), k -> new ArrayList<>()).add(a);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        byTensor.forEach((name, axes) -> {
            Tensor t = original.tensor(name);
            for (int axis = 0; axis <= 1; axis++) {
                List<BlockAction> onAxis = axes.get(axis);
                if (onAxis == null) continue;
                if (axis >= t.rank()) throw new IllegalArgumentException("tensor '" + name + "' has rank " + t.rank() + "; no axis " + axis);
                int length = t.dim(axis);
                List<BlockMove> moves = onAxis.stream().map(a -> new BlockMove(a.set(), a.source())).toList();
                int[] src = BlockMoves.indexMap(length, moves);
                if (!isIdentity(src)) t = Gather.along(t, axis, src);
                int[] exps = new int[length];
                boolean scaled = false;
                for (BlockAction a : onAxis) {
                    for (int i = 0; i < a.set().count(); i++) {
                        int e = a.exponent(i);
                        if (e == 0) continue;
                        scaled = true;
                        for (int d = 0; d < a.set().length(); d++) exps[a.set().start(i) + d] += e;
                    }
                }
                if (scaled) t = PowerOfTwo.scaleAlong(t, axis, exps);
            }
            out.put(name, t);
        });
        return original.withTensors(out);
    }

    private static boolean isIdentity(int[] src) {
        for (int i = 0; i < src.length; i++) if (src[i] != i) return false;
        return true;
    }
}
