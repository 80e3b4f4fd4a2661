package dev.editgate.gate.contract;

import dev.editgate.core.contract.Clause;
import dev.editgate.core.contract.ClauseResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The gate's verdict on an edit against its contract: one result per clause (in {@link Clause} order), the
 * preservation finding when that clause failed, how many unrelated prompts it tried, the seed, and the wall time.
 */
public record ContractVerdict(String model, String edit, String request, List<ClauseResult> clauses,
                              Optional<PreservationFinding> finding, int promptsTried, long seed, Duration elapsed) {
    public ContractVerdict {
        clauses = List.copyOf(clauses);
    }

    public boolean passed() { return clauses.stream().noneMatch(ClauseResult::failed); }

    /** The clauses that failed, in order. */
    public List<Clause> failedClauses() {
        return clauses.stream().filter(ClauseResult::failed).map(ClauseResult::clause).toList();
    }

    public Optional<ClauseResult> result(Clause c) {
        return clauses.stream().filter(r -> r.clause() == c).findFirst();
    }

    /** A few lines for a terminal or a test failure message. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("contract ").append(passed() ? "PASS" : "FAIL").append(": ").append(edit).append(" on ").append(model)
                .append(String.format(" (%.2f s, seed %d)", elapsed.toMillis() / 1000.0, seed)).append('\n');
        for (ClauseResult r : clauses) {
            sb.append(String.format("  %-8s %-34s %s%n", r.status(), r.clause().label(), r.summary()));
            if (r.failed()) for (String d : r.details()) sb.append("           ").append(d).append('\n');
        }
        return sb.toString();
    }
}
