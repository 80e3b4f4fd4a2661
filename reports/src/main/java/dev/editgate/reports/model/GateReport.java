package dev.editgate.reports.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Everything one gate run found, in the order a reader needs it. Serialised as {@code report.json}
 * (schema version {@link #SCHEMA_VERSION}) and rendered as Markdown and HTML.
 *
 * @param reproduceCommand the exact command that reruns this gate (same seed, same options)
 * @param shapes what a run over generated model shapes found ({@code --model shapes:FAMILY}); null for one model
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
        String reproduceCommand,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) ShapesReport shapes) {

    public static final int SCHEMA_VERSION = 1;

    public GateReport {
        stages = List.copyOf(stages);
    }

    /** A report of one model (no generated shapes). */
    public GateReport(int schemaVersion, Instant started, Duration elapsed, Verdict verdict, RunInfo run, Environment environment,
                      List<StageReport> stages, Plots plots, String reproduceCommand) {
        this(schemaVersion, started, elapsed, verdict, run, environment, stages, plots, reproduceCommand, null);
    }

    /**
     * The overall verdict: PASS when every stage ran and passed; FAIL when a stage found the edit wrong;
     * INCONCLUSIVE when nothing failed but a stage could not run (an error outside the edit) or was skipped
     * because the time budget was spent: a broken setup, not a broken edit.
     */
    public enum Verdict { PASS, FAIL, INCONCLUSIVE }
}
