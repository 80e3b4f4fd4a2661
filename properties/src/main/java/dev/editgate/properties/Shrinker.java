package dev.editgate.properties;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Shrinks a failing choice sequence toward the shortlex-smallest one that still fails (the
 * Hypothesis approach): passes delete spans and blocks of choices, replace generator spans by
 * simpler encodings, zero blocks, lower single and duplicated choices, move value between pairs of
 * choices and swap out-of-order pairs, until a whole round improves nothing or the time budget ends.
 * A candidate is kept only if it fails and is shortlex-smaller, so shrinking always terminates and,
 * having no randomness, gives the same result for the same start.
 */
final class Shrinker {
    private static final int[] BLOCK_SIZES = {8, 4, 2, 1};
    private static final int PAIR_WINDOW = 8;

    private final Function<long[], TestCase> runner;
    private final long deadlineNanos;
    private final Consumer<TestCase> onStep;
    private final Set<String> tried = new HashSet<>();
    private TestCase best;
    private int steps;

    Shrinker(Function<long[], TestCase> runner, Duration budget, Consumer<TestCase> onStep) {
        this.runner = runner;
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
        this.onStep = onStep;
    }

    /** Shrinks from {@code failing}; returns the smallest failing test case found. */
    TestCase shrink(TestCase failing) {
        best = failing;
        boolean improved = true;
        while (improved && !outOfTime()) {
            improved = deleteSpans();
            improved |= simplifySpans();
            improved |= deleteBlocks();
            improved |= zeroBlocks();
            improved |= lowerChoices();
            improved |= lowerDuplicates();
            improved |= redistributePairs();
            improved |= swapPairs();
        }
        return best;
    }

    int steps() {
        return steps;
    }

    private boolean deleteSpans() {
        boolean improved = false;
        for (int i = best.spans().size() - 1; i >= 0 && !outOfTime(); i--) {
            if (i >= best.spans().size()) continue;
            Choices.Span span = best.spans().get(i);
            if (span.end() > span.start() && consider(splice(best.choices(), span.start(), span.end(), new long[0]))) {
                improved = true;
            }
        }
        return improved;
    }

    private boolean simplifySpans() {
        boolean improved = false;
        for (int i = 0; i < best.spans().size() && !outOfTime(); i++) {
            Choices.Span span = best.spans().get(i);
            if (span.simplifier() == null) continue;
            for (long[] encoding : span.simplifier().simplerEncodings(span.value())) {
                if (outOfTime()) break;
                if (consider(splice(best.choices(), span.start(), span.end(), encoding))) {
                    improved = true;
                    break; // spans moved; look at this index again in the next round
                }
            }
        }
        return improved;
    }

    private boolean deleteBlocks() {
        boolean improved = false;
        for (int size : BLOCK_SIZES) {
            for (int i = 0; i + size <= best.choices().length && !outOfTime(); ) {
                if (consider(splice(best.choices(), i, i + size, new long[0]))) {
                    improved = true;
                } else {
                    i++;
                }
            }
        }
        return improved;
    }

    private boolean zeroBlocks() {
        boolean improved = false;
        for (int size : BLOCK_SIZES) {
            for (int i = 0; i + size <= best.choices().length && !outOfTime(); i++) {
                long[] c = best.choices().clone();
                boolean nonZero = false;
                for (int k = i; k < i + size; k++) {
                    nonZero |= c[k] != 0;
                    c[k] = 0;
                }
                if (nonZero && consider(c)) improved = true;
            }
        }
        return improved;
    }

    /** Binary search for the smallest value at each position that still fails. */
    private boolean lowerChoices() {
        boolean improved = false;
        for (int i = 0; i < best.choices().length && !outOfTime(); i++) {
            improved |= lowerTogether(new int[] {i});
        }
        return improved;
    }

    /** Lowers every group of positions holding the same value together (e.g. a duplicate in a list). */
    private boolean lowerDuplicates() {
        boolean improved = false;
        long[] c = best.choices();
        Set<Long> done = new HashSet<>();
        for (int i = 0; i < c.length && !outOfTime(); i++) {
            long v = c[i];
            if (v == 0 || !done.add(v)) continue;
            int[] positions = IntStream.range(0, c.length).filter(k -> c[k] == v).toArray();
            if (positions.length >= 2 && lowerTogether(positions)) improved = true;
            if (best.choices() != c) break; // positions moved; next round
        }
        return improved;
    }

    private boolean lowerTogether(int[] positions) {
        if (positions[positions.length - 1] >= best.choices().length) return false;
        long hi = best.choices()[positions[0]];
        if (hi == 0) return false;
        if (consider(withValue(best.choices(), positions, 0))) return true;
        long lo = 0; // known not to fail (or not smaller)
        boolean improved = false;
        while (lo + 1 < hi && !outOfTime()) {
            long mid = lo + (hi - lo) / 2;
            if (positions[positions.length - 1] >= best.choices().length) break;
            if (consider(withValue(best.choices(), positions, mid))) {
                improved = true;
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return improved;
    }

    /** Moves value from an earlier choice to a later one: the sequence gets lexicographically smaller. */
    private boolean redistributePairs() {
        boolean improved = false;
        for (int i = 0; i < best.choices().length && !outOfTime(); i++) {
            for (int j = i + 1; j < Math.min(best.choices().length, i + 1 + PAIR_WINDOW) && !outOfTime(); j++) {
                long[] c = best.choices();
                long a = c[i], b = c[j];
                if (a == 0 || b > Long.MAX_VALUE - a) continue;
                long[] moved = c.clone();
                moved[i] = 0;
                moved[j] = b + a;
                if (consider(moved)) {
                    improved = true;
                    continue;
                }
                long lo = 0, hi = a; // amount moved: lo works (trivially), hi does not
                while (lo + 1 < hi && !outOfTime()) {
                    long mid = lo + (hi - lo) / 2;
                    long[] partial = c.clone();
                    partial[i] = a - mid;
                    partial[j] = b + mid;
                    if (consider(partial)) {
                        improved = true;
                        break;
                    }
                    hi = mid;
                }
            }
        }
        return improved;
    }

    private boolean swapPairs() {
        boolean improved = false;
        for (int i = 0; i < best.choices().length && !outOfTime(); i++) {
            for (int j = i + 1; j < Math.min(best.choices().length, i + 1 + PAIR_WINDOW) && !outOfTime(); j++) {
                long[] c = best.choices().clone();
                if (c[i] <= c[j]) continue;
                long t = c[i];
                c[i] = c[j];
                c[j] = t;
                if (consider(c)) improved = true;
            }
        }
        return improved;
    }

    /** Runs {@code candidate} if it is shortlex-smaller than the best; keeps it if it still fails. */
    private boolean consider(long[] candidate) {
        if (shortlex(candidate, best.choices()) >= 0 || !tried.add(Arrays.toString(candidate))) {
            return false;
        }
        TestCase result = runner.apply(candidate);
        if (result.failed() && shortlex(result.choices(), best.choices()) < 0) {
            best = result;
            steps++;
            onStep.accept(result);
            return true;
        }
        return false;
    }

    private boolean outOfTime() {
        return System.nanoTime() - deadlineNanos > 0;
    }

    private static long[] splice(long[] c, int from, int to, long[] replacement) {
        long[] out = new long[c.length - (to - from) + replacement.length];
        System.arraycopy(c, 0, out, 0, from);
        System.arraycopy(replacement, 0, out, from, replacement.length);
        System.arraycopy(c, to, out, from + replacement.length, c.length - to);
        return out;
    }

    private static long[] withValue(long[] c, int[] positions, long value) {
        long[] out = c.clone();
        for (int p : positions) out[p] = value;
        return out;
    }

    /** Shortlex order: shorter sequences first, then lexicographic. */
    static int shortlex(long[] a, long[] b) {
        if (a.length != b.length) return Integer.compare(a.length, b.length);
        return Arrays.compare(a, b);
    }
}
