package dev.editgate.reports.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Everything one gate run found, in the order a reader needs it. Serialised as {@code report.json}
 * (schema version {@link #SCHEMA_VERSION}) and rendered as Markdown and HTML.
 *
 * @param reproduceCommand the exact command that reruns this gate (same seed, same options)
 */
public record GateReport(
        int schemaVersion,
        Instant started,
        Duration elapsed,
        Verdict verdict,
        RunInfo run,
        Environment environment,
        List<StageReport> stages,
        Plots plots,
        String reproduceCommand) {

    public static final int SCHEMA_VERSION = 1;

    public GateReport {
        stages = List.copyOf(stages);
    }

    /** The overall verdict: PASS when every stage that ran passed and none was skipped for a failure. */
    public enum Verdict { PASS, FAIL }
}
