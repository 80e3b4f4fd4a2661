package dev.editgate.properties;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Shrink candidates for a subset drawn by {@link Gens#subsets}: drop one element, or replace one by
 * a lower non-member. In the {@link SortedPoints} encoding, dropping an element also changes the gap
 * of the next one, which the generic passes alone would rarely find.
 */
final class SubsetSimplifier implements SpanSimplifier {
    static final SubsetSimplifier INSTANCE = new SubsetSimplifier();

    private SubsetSimplifier() {}

    @Override
    public List<long[]> simplerEncodings(Object value) {
        @SuppressWarnings("unchecked") SortedSet<Integer> set = (SortedSet<Integer>) value;
        List<long[]> out = new ArrayList<>();
        for (int x : set) {
            TreeSet<Integer> smaller = new TreeSet<>(set);
            smaller.remove(x);
            out.add(encode(smaller));
        }
        for (int x : set) {
            for (int y = 0; y < x; y++) {
                if (set.contains(y)) continue;
                TreeSet<Integer> lower = new TreeSet<>(set);
                lower.remove(x);
                lower.add(y);
                out.add(encode(lower));
            }
        }
        out.sort(Shrinker::shortlex);
        return out;
    }

    private static long[] encode(SortedSet<Integer> set) {
        return SortedPoints.encode(set.stream().mapToInt(Integer::intValue).toArray(), 0);
    }
}
