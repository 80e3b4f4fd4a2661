package dev.editgate.core.edit;

import dev.editgate.core.checkpoint.Checkpoint;

/**
 * An edit of one edit kind (head permutation, MLP neuron permutation, residual permutation, a power-of-two scaling,
 * or a lab's own kind) with parameter type {@code P}: maps a checkpoint to a new one and never mutates its input.
 * Whole-model kinds receive the layer the gate reports on and ignore it.
 */
@FunctionalInterface
public interface KindEdit<P> {
    Checkpoint edit(Checkpoint original, int layer, P params);
}
