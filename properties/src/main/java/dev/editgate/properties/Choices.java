package dev.editgate.properties;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;

/**
 * The recorded choice sequence that drives every generator (the Hypothesis design): a generator asks
 * for bounded non-negative integers and builds its value from them. Each answer is recorded, so a
 * test case is fully described by its sequence of choices, and shrinking works on that sequence
 * alone: a shorter sequence, or one with smaller numbers, gives a simpler value for any generator
 * written so that 0 is its simplest answer.
 *
 * <p>A {@code Choices} either draws fresh random answers or replays a given prefix; past the end of
 * the prefix it answers 0 (the simplest choice), and a replayed answer above the asked bound is
 * clamped to it.
 */
public final class Choices {
    /** A test case that asks for more choices than this is rejected, so no generator can run away. */
    static final int MAX_CHOICES = 100_000;

    private final long[] prefix;
    private final SplittableRandom random;
    private long[] recorded = new long[32];
    private int size;
    private final List<Span> spans = new ArrayList<>();

    /**
     * A part of the sequence that one generator drew, from {@code start} inclusive to {@code end} exclusive.
     *
     * @param simplifier proposes simpler encodings of {@code value} for the shrinker, or {@code null}
     *                   when the span can only be deleted (a list element)
     */
    record Span(int start, int end, SpanSimplifier simplifier, Object value) {}

    private Choices(long[] prefix, SplittableRandom random) {
        this.prefix = prefix;
        this.random = random;
    }

    /** Fresh random choices. */
    static Choices random(SplittableRandom random) {
        return new Choices(new long[0], random);
    }

    /** Replays {@code prefix}, then answers 0. */
    static Choices replay(long[] prefix) {
        return new Choices(prefix.clone(), null);
    }

    /** An integer in {@code 0..maxInclusive}; 0 is the simplest answer. */
    public long draw(long maxInclusive) {
        return draw(maxInclusive, r -> randomValue(r, maxInclusive));
    }

    /**
     * Like {@link #draw(long)}, but a fresh random answer comes from {@code sampler}, for a generator
     * that wants another distribution than the default; replayed answers and shrinking are unchanged.
     */
    long draw(long maxInclusive, ToLongFunction<SplittableRandom> sampler) {
        if (maxInclusive < 0) {
            throw new IllegalArgumentException("draw bound must be >= 0, was " + maxInclusive);
        }
        long value;
        if (size < prefix.length) {
            value = Math.min(prefix[size], maxInclusive);
        } else if (random != null) {
            value = Math.max(0, Math.min(maxInclusive, sampler.applyAsLong(random)));
        } else {
            value = 0;
        }
        record(value);
        return value;
    }

    /** {@link #draw(long)} for int bounds. */
    public int drawInt(int maxInclusive) {
        return (int) draw(maxInclusive);
    }

    /** A boolean that is true with {@code probabilityTrue} when drawn at random; false is the simpler answer. */
    public boolean drawBoolean(double probabilityTrue) {
        long value;
        if (size < prefix.length) {
            value = Math.min(prefix[size], 1);
        } else if (random != null) {
            value = random.nextDouble() < probabilityTrue ? 1 : 0;
        } else {
            value = 0;
        }
        record(value);
        return value == 1;
    }

    /** How many choices have been made so far; generators use it to mark spans. */
    public int position() {
        return size;
    }

    /** Marks the choices from {@code start} to now as one span of the value {@code value}. */
    void markSpan(int start, SpanSimplifier simplifier, Object value) {
        spans.add(new Span(start, size, simplifier, value));
    }

    long[] recorded() {
        return Arrays.copyOf(recorded, size);
    }

    List<Span> spans() {
        return List.copyOf(spans);
    }

    private static long randomValue(SplittableRandom random, long max) {
        if (max == 0) return 0;
        int edge = random.nextInt(16); // bias a little toward both ends of the range
        if (edge == 0) return 0;
        if (edge == 1) return max;
        return max == Long.MAX_VALUE ? random.nextLong() & Long.MAX_VALUE : random.nextLong(max + 1);
    }

    private void record(long value) {
        if (size >= MAX_CHOICES) {
            throw new Rejected("the generator asked for more than " + MAX_CHOICES + " choices");
        }
        if (size == recorded.length) recorded = Arrays.copyOf(recorded, size * 2);
        recorded[size++] = value;
    }
}
