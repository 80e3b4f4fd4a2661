package dev.editgate.properties;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A generator: builds a value from a {@link Choices} sequence. Generators compose with {@link #map},
 * {@link #filter} and {@link #flatMap} (and the combinators of {@link Gens}); because every value is
 * built from the one recorded sequence, composed generators shrink without any per-type shrinker.
 *
 * <p>Write a generator so that smaller choices give simpler values and all-zero choices give the
 * simplest value: shrinking then finds simple counterexamples.
 */
@FunctionalInterface
public interface Gen<T> {
    /** How many times {@link #filter} draws again before it discards the whole try. */
    int FILTER_ATTEMPTS = 100;

    T generate(Choices choices);

    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return choices -> f.apply(generate(choices));
    }

    /** Values that satisfy {@code p}; draws again (up to {@value #FILTER_ATTEMPTS} times), then discards the try. */
    default Gen<T> filter(Predicate<? super T> p) {
        return choices -> {
            for (int attempt = 0; attempt < FILTER_ATTEMPTS; attempt++) {
                T value = generate(choices);
                if (p.test(value)) return value;
            }
            throw new Rejected("filter rejected " + FILTER_ATTEMPTS + " values in a row");
        };
    }

    /** A generator chosen by this one's value, drawing from the same choices. */
    default <R> Gen<R> flatMap(Function<? super T, Gen<R>> f) {
        return choices -> f.apply(generate(choices)).generate(choices);
    }
}
