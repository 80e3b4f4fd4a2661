package dev.editgate.reports.model;

import java.time.Duration;
import java.util.List;

/**
 * One stage of the gate (structural, numeric, functional, behavioural).
 *
 * @param reason why it was skipped, failed or could not run, in one sentence; its purpose when it passed
 */
public record StageReport(String name, Status status, String reason, Duration elapsed, List<PropertyReport> properties) {

    public StageReport {
        properties = List.copyOf(properties);
    }

    /**
     * PASSED and FAILED judge the edit; ERROR means the stage could not run (an error outside the edit, e.g. the
     * forward pass could not load), SKIPPED that it was not started (an earlier stage failed or could not run,
     * or the time budget was spent).
     */
    public enum Status { PASSED, FAILED, SKIPPED, ERROR }
}
