package dev.editgate.gate;

import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;

/** Progress of a gate run, for the CLI's live progress line and for logs. All methods default to no-ops. */
public interface GateListener {
    default void stageStarted(String stage) {}

    default void propertyStarted(String stage, String property, int plannedTries) {}

    default void tryDone(String stage, String property, int done, int planned, int failures) {}

    default void shrinking(String stage, String property, int steps) {}

    default void propertyFinished(String stage, PropertyReport report) {}

    default void stageFinished(StageReport report) {}

    GateListener NONE = new GateListener() {};
}
