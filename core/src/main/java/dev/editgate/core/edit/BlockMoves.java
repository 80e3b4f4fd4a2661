package dev.editgate.core.edit;

import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Applies block moves to the tensors they address: the moves on one axis of one tensor become one index map
 * and one {@link Gather}; a tensor moved on both axes is gathered twice (the two commute).
 */
public final class BlockMoves {
    private BlockMoves() {}

    /** The moved tensors, by name; {@code tensors} looks a tensor up by name. Tensors no move names are not returned. */
    public static Map<String, Tensor> apply(Function<String, Tensor> tensors, List<BlockMove> moves) {
        Map<String, Map<Integer, List<BlockMove>>> byTensor = new LinkedHashMap<>();
        for (BlockMove m : moves) {
            byTensor.computeIfAbsent(m.set().tensor(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(m.set().axis(), k -> new ArrayList<>()).add(m);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        byTensor.forEach((name, axes) -> {
            Tensor t = tensors.apply(name);
            for (int axis = 0; axis <= 1; axis++) {
                List<BlockMove> onAxis = axes.get(axis);
                if (onAxis == null) continue;
                if (axis >= t.rank()) {
                    throw new IllegalArgumentException("tensor '" + name + "' has rank " + t.rank() + "; cannot move blocks along axis " + axis);
                }
                t = Gather.along(t, axis, indexMap(t.dim(axis), onAxis));
            }
            out.put(name, t);
        });
        return out;
    }

    /** {@code src[start(i) + d] = start(perm[i]) + d} for every move; every other index maps to itself. */
    public static int[] indexMap(int length, List<BlockMove> moves) {
        int[] src = Gather.identity(length);
        for (BlockMove m : moves) {
            var set = m.set();
            int[] perm = m.perm();
            for (int i = 0; i < set.count(); i++) {
                int to = set.start(i), from = set.start(perm[i]);
                if (to + set.length() > length || from + set.length() > length) {
                    throw new IllegalArgumentException(set.label() + " of '" + set.tensor() + "': block " + i + " lies outside axis "
                            + set.axis() + " of length " + length);
                }
                for (int d = 0; d < set.length(); d++) src[to + d] = from + d;
            }
        }
        return src;
    }
}
