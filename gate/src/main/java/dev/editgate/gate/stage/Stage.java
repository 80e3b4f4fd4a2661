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

    /** One sentence for the report: what this stage establishes (for head permutations). */
    String purpose();

    /** The same sentence for the session's edit kind (by default the head-permutation one). */
    default String purpose(GateSession session) { return purpose(); }

    /** The properties to run, built once the earlier stages have passed. */
    List<GateProperty<?>> properties(GateSession session);

    /** Why this stage does not apply to the session's edit kind, or empty when it does (the default). */
    default java.util.Optional<String> notApplicable(GateSession session) { return java.util.Optional.empty(); }

    /** Called after the properties ran, e.g. to record plot data for a representative permutation. */
    default void collectPlots(GateSession session) {}
}
