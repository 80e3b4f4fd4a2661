package dev.editgate.properties;

/** Follows a property run, e.g. for a live progress line; every method does nothing by default. */
public interface PropertyListener<T> {
    default void onStart(String name, int plannedTries) {}

    /** After each try: {@code done} of {@code planned} tries run, {@code failures} of them failed (0 or 1). */
    default void onTry(int done, int planned, int failures) {}

    /** After each successful shrink step, with the current (smallest so far) counterexample. */
    default void onShrinkStep(int steps, T current) {}
}
