package dev.editgate.reports.model;

/**
 * How often a gate run called the edit under test: {@code calls} times it actually ran, and {@code reused} requests
 * (by another property, for the same input and permutation) that got an earlier result instead.
 */
public record EditCalls(long calls, long reused) {
    public EditCalls {
        if (calls < 0 || reused < 0) throw new IllegalArgumentException("edit calls must be >= 0, got " + calls + " and " + reused);
    }

    /** "140 (260 more requests reused an earlier result)". */
    public String summary() {
        return calls + (reused == 0 ? "" : " (" + reused + " more " + (reused == 1 ? "request" : "requests") + " reused an earlier result)");
    }
}
