package dev.editgate.gate.stage;

import dev.editgate.gate.GateSession;
import java.util.List;

/**
 * A stage of the gate: a named set of properties. A stage prepares what its properties share (e.g. the
 * calibrated tolerance) in {@link #properties}, so a stage that is skipped costs nothing.
 */
public interface Stage {
    /** structural, numeric, functional or behavioural. */
    String name();

    /** One sentence for the report: what this stage establishes. */
    String purpose();

    /** The properties to run, built once the earlier stages have passed. */
    List<GateProperty> properties(GateSession session);

    /** Called after the properties ran, e.g. to record plot data for a representative permutation. */
    default void collectPlots(GateSession session) {}
}
