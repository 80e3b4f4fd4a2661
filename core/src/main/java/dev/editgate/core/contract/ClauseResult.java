package dev.editgate.core.contract;

import java.util.List;

/**
 * The verdict on one clause: whether it held, a one-line summary, and detail lines (per tensor, per prompt, per
 * position). {@code skipped} when the contract does not declare the clause or an earlier failure made it moot.
 */
public record ClauseResult(Clause clause, Status status, String summary, List<String> details) {
    public enum Status { PASSED, FAILED, SKIPPED }

    public ClauseResult {
        details = List.copyOf(details);
    }

    public static ClauseResult passed(Clause c, String summary, List<String> details) {
        return new ClauseResult(c, Status.PASSED, summary, details);
    }

    public static ClauseResult failed(Clause c, String summary, List<String> details) {
        return new ClauseResult(c, Status.FAILED, summary, details);
    }

    public static ClauseResult skipped(Clause c, String why) {
        return new ClauseResult(c, Status.SKIPPED, why, List.of());
    }

    public boolean failed() { return status == Status.FAILED; }
}
