package dev.editgate.reports.model;

import java.time.Duration;
import java.util.Map;

/**
 * One property run by the engine inside a stage.
 *
 * @param counterexample the minimal failing permutation, or {@code null} when the property held
 * @param failureMessage what broke (which tensor, which block, what value), or empty
 * @param diagnosis the layout or convention the edit seems to assume, in a researcher's terms, or empty
 * @param statistics counts of what was generated, e.g. {"moved heads = 2": 31, ...}
 */
public record PropertyReport(
        String name,
        String description,
        Status status,
        int tries,
        Duration elapsed,
        long seed,
        Counterexample counterexample,
        String failureMessage,
        String diagnosis,
        Map<String, Long> statistics) {

    public PropertyReport {
        statistics = Map.copyOf(statistics);
    }

    public enum Status { PASSED, FAILED }
}
