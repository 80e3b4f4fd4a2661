package dev.editgate.gate;

import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;

/** Progress of a gate run, for the CLI's live progress line and for logs. All methods default to no-ops. */
public interface GateListener {
    /**
     * A setup phase began (generating a fixture, loading the checkpoint, starting the edit command, loading
     * the forward passes, calibrating, original-side probes); it lasts until the next phase or stage event.
     */
    default void phase(String label) {}

    default void stageStarted(String stage) {}

    /** The stage's properties are built: {@code totalTries} trials are planned (before shrinking). */
    default void stagePlanned(String stage, long totalTries) {}

    default void propertyStarted(String stage, String property, int plannedTries) {}

    default void tryDone(String stage, String property, int done, int planned, int failures) {}

    default void shrinking(String stage, String property, int steps) {}

    default void propertyFinished(String stage, PropertyReport report) {}

    default void stageFinished(StageReport report) {}

    GateListener NONE = new GateListener() {};
}
