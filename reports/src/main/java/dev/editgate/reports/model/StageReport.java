package dev.editgate.reports.model;

import java.time.Duration;
import java.util.List;

/**
 * One stage of the gate (structural, numeric, functional, behavioural).
 *
 * @param reason why it was skipped or failed, in one sentence; empty when it passed
 */
public record StageReport(String name, Status status, String reason, Duration elapsed, List<PropertyReport> properties) {

    public StageReport {
        properties = List.copyOf(properties);
    }

    public enum Status { PASSED, FAILED, SKIPPED }
}
