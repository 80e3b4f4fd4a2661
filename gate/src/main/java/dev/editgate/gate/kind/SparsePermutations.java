package dev.editgate.gate.kind;

import dev.editgate.core.edit.Permutation;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import java.util.TreeSet;

/**
 * Permutations of many points (MLP neurons, residual coordinates) that move at most {@code maxMoved} of them: how many,
 * which ones, then a permutation among them. The head generator's shrinker tries O(n²) candidates per step, which is
 * minutes for a thousand neurons; here every part shrinks on its own (fewer moved points, lower points, a simpler
 * permutation among them), so a failure that needs a 3-cycle shrinks to {@code (0 1 2)} in a few steps.
 */
final class SparsePermutations {
    /** Most points a drawn permutation moves. */
    static final int MAX_MOVED = 24;

    private SparsePermutations() {}

    static Gen<Permutation> of(int n) {
        int max = Math.min(n, MAX_MOVED);
        return choices -> {
            int count = choices.drawInt(max);
            TreeSet<Integer> points = new TreeSet<>();
            for (int k = 0; k < count; k++) points.add(choices.drawInt(n - 1));
            int[] pts = points.stream().mapToInt(Integer::intValue).toArray();
            int[] image = new int[n];
            for (int i = 0; i < n; i++) image[i] = i;
            if (pts.length < 2) return Permutation.of(image);
            Permutation inner = Gens.permutations(pts.length).generate(choices);
            for (int i = 0; i < pts.length; i++) image[pts[i]] = pts[inner.apply(i)];
            return Permutation.of(image);
        };
    }
}
