package dev.editgate.properties;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BiFunction;

/** The basic generators and combinators. Each shrinks toward the simplest value named in its javadoc. */
public final class Gens {
    /** Mean number of optional elements in a generated list (before the size cap). */
    private static final double MEAN_OPTIONAL_ELEMENTS = 5.0;

    private Gens() {}

    /** Integers in {@code lo..hiInclusive}; shrinks toward 0 (or the bound closest to it), positive before negative. */
    public static Gen<Integer> integers(int lo, int hiInclusive) {
        return longs(lo, hiInclusive).map(Long::intValue);
    }

    /** Longs in {@code lo..hiInclusive}; shrinks toward 0 (or the bound closest to it), positive before negative. */
    public static Gen<Long> longs(long lo, long hiInclusive) {
        if (lo > hiInclusive) {
            throw new IllegalArgumentException("empty range " + lo + ".." + hiInclusive + ": lo must be <= hi");
        }
        long target = Math.max(lo, Math.min(hiInclusive, 0));
        if (hiInclusive - lo < 0) { // the span overflows a long: draw a side, then a distance
            return choices -> choices.drawBoolean(0.5) ? -1 - choices.draw(-(lo + 1)) : choices.draw(hiInclusive);
        }
        long above = hiInclusive - target;
        long below = target - lo;
        long both = Math.min(above, below);
        return choices -> {
            long u = choices.draw(hiInclusive - lo);
            if (u <= 2 * both) { // alternate +1, -1, +2, -2, ... around the target
                if (u == 0) return target;
                return u % 2 == 1 ? target + (u + 1) / 2 : target - u / 2;
            }
            return above > below ? target + (u - both) : target - (u - both);
        };
    }

    /** Fair booleans; shrinks toward false. */
    public static Gen<Boolean> booleans() {
        return choices -> choices.drawBoolean(0.5);
    }

    /** Always {@code value}; uses no choices. */
    public static <T> Gen<T> just(T value) {
        return choices -> value;
    }

    /** One of {@code values}; shrinks toward the first. */
    public static <T> Gen<T> choice(List<T> values) {
        if (values.isEmpty()) throw new IllegalArgumentException("choice needs at least one value");
        List<T> copy = List.copyOf(values);
        return choices -> copy.get(choices.drawInt(copy.size() - 1));
    }

    /** A value of one of {@code gens}; shrinks toward the first generator. */
    @SafeVarargs
    public static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        if (gens.length == 0) throw new IllegalArgumentException("oneOf needs at least one generator");
        List<Gen<? extends T>> copy = List.of(gens);
        return choices -> copy.get(choices.drawInt(copy.size() - 1)).generate(choices);
    }

    /**
     * Lists of {@code minSize..maxSize} elements; shrinks toward shorter lists of simpler elements.
     * Each optional element is preceded by a "one more" flag, so deleting an element is deleting its choices.
     */
    public static <T> Gen<List<T>> lists(Gen<T> element, int minSize, int maxSize) {
        if (minSize < 0 || maxSize < minSize) {
            throw new IllegalArgumentException("list sizes " + minSize + ".." + maxSize + ": need 0 <= minSize <= maxSize");
        }
        double mean = Math.min(MEAN_OPTIONAL_ELEMENTS, maxSize - minSize);
        double more = mean / (mean + 1);
        return choices -> {
            List<T> out = new ArrayList<>();
            for (int i = 0; i < minSize; i++) out.add(element.generate(choices));
            while (out.size() < maxSize) {
                int start = choices.position();
                if (!choices.drawBoolean(more)) break;
                out.add(element.generate(choices));
                choices.markSpan(start, null, null);
            }
            return Collections.unmodifiableList(out);
        };
    }

    /** {@code f} of one value of each generator; shrinks both. */
    public static <A, B, R> Gen<R> combine(Gen<A> a, Gen<B> b, BiFunction<? super A, ? super B, ? extends R> f) {
        return choices -> {
            A first = a.generate(choices);
            return f.apply(first, b.generate(choices));
        };
    }

    /**
     * Subsets of {@code 0..n-1} (e.g. a set of heads), ascending; shrinks toward the empty set, then
     * fewer elements, then the lowest ones.
     */
    public static Gen<SortedSet<Integer>> subsets(int n) {
        if (n < 0) throw new IllegalArgumentException("subsets of " + n + " points: n must be >= 0");
        return choices -> {
            int start = choices.position();
            TreeSet<Integer> out = new TreeSet<>();
            for (int p : SortedPoints.draw(choices, n, 0)) out.add(p);
            SortedSet<Integer> subset = Collections.unmodifiableSortedSet(out);
            choices.markSpan(start, SubsetSimplifier.INSTANCE, subset);
            return subset;
        };
    }

    /** Permutations of {@code n} heads; see {@link PermutationGen} for restrictions, edge cases and shrinking. */
    public static PermutationGen permutations(int n) {
        return PermutationGen.of(n);
    }

    /**
     * Head permutations of a model with {@code heads} query heads and {@code kvHeads} KV heads that keep every KV
     * group together (the only head permutations that are symmetries under grouped-query attention); the plain
     * generator when the model has multi-head attention. See {@link GroupedPermutationGen}.
     */
    public static PermutationSpace headPermutations(int heads, int kvHeads) {
        return GroupedPermutationGen.of(heads, kvHeads);
    }
}
