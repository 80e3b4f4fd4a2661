package dev.editgate.properties;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The outcome of checking one property.
 *
 * @param name        the property's name
 * @param passed      true when no try failed
 * @param triesRun    how many values were tested (replayed, exhaustive, edge case or random; not shrinking)
 * @param seed        the seed of the random tries; rerun with {@code -Deditgate.seed=<seed>}
 * @param elapsed     wall time of the whole check, shrinking included
 * @param exhaustive  true when every value of the generator was tested
 * @param original    the first failing value found
 * @param shrunk      the smallest failing value shrinking reached
 * @param shrinkSteps how many times shrinking found a smaller failing value
 * @param failure     what the body threw on the shrunk value
 * @param statistics  how many tested values had each label (see {@code Property.classify})
 * @param report      a readable multi-line summary; for a failure: name, shrunk and original
 *                    counterexample, seed, shrink steps, failure message and a reproduction line
 */
public record PropertyResult<T>(String name, boolean passed, int triesRun, long seed, Duration elapsed,
                                boolean exhaustive, Optional<T> original, Optional<T> shrunk, int shrinkSteps,
                                Optional<Throwable> failure, Map<String, Long> statistics, String report) {

    public PropertyResult {
        statistics = Collections.unmodifiableMap(new TreeMap<>(statistics));
    }

    /** Throws a {@link PropertyFailedError} carrying {@link #report()} when the property failed. */
    public void assertPassed() {
        if (!passed) throw new PropertyFailedError(report, failure.orElse(null));
    }
}
