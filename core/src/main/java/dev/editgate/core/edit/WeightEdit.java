package dev.editgate.core.edit;

import dev.editgate.core.checkpoint.Checkpoint;

/**
 * One concrete weight edit: maps a checkpoint to a new one. Implementations never mutate their input
 * and share (do not copy) every tensor they leave unchanged.
 */
public interface WeightEdit {
    /** A short human description, e.g. {@code "permute heads of layer 6 by (0 1)"}. */
    String describe();

    Checkpoint apply(Checkpoint original);
}
