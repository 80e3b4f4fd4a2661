package dev.editgate.properties;

import java.util.SplittableRandom;
import java.util.function.ToLongFunction;

/**
 * The choice encoding of an ascending set of points of {@code 0..n-1}: first its size minus
 * {@code minSize}, then the gap before each point. Shortlex order on this encoding is the order
 * "fewer points first, then the lexicographically smallest sorted list", so {@code {0, 3}} comes
 * before {@code {1, 2}}, which comes before {@code {0, 1, 2}}.
 */
final class SortedPoints {
    private SortedPoints() {}

    static int[] draw(Choices choices, int n, int minSize) {
        return draw(choices, n, minSize, random -> random.nextInt(n - minSize + 1));
    }

    /** {@link #draw(Choices, int, int)} with random sizes (minus {@code minSize}) taken from {@code sizeSampler}. */
    static int[] draw(Choices choices, int n, int minSize, ToLongFunction<SplittableRandom> sizeSampler) {
        int k = minSize + (int) choices.draw(n - minSize, sizeSampler);
        int[] points = new int[k];
        int previous = -1;
        for (int j = 0; j < k; j++) {
            int room = n - (k - j) - (previous + 1); // largest gap that leaves room for the rest
            previous = previous + 1 + choices.drawInt(room);
            points[j] = previous;
        }
        return points;
    }

    /** The choices that make {@link #draw} return {@code points} (ascending, distinct). */
    static long[] encode(int[] points, int minSize) {
        long[] out = new long[points.length + 1];
        out[0] = points.length - minSize;
        int previous = -1;
        for (int j = 0; j < points.length; j++) {
            out[j + 1] = points[j] - previous - 1;
            previous = points[j];
        }
        return out;
    }
}
