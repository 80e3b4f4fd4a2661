package dev.editgate.core.contract;

import dev.editgate.core.checkpoint.Checkpoint;

/**
 * An edit that is meant to change what the model does (a knowledge edit, a merged adapter, pruning), judged
 * against a declared {@code Contract} rather than as a symmetry. Return a new checkpoint (e.g. with
 * {@link Checkpoint#withTensors}); never modify {@code original}.
 */
@FunctionalInterface
public interface ContractEdit {
    Checkpoint apply(Checkpoint original, EditRequest request);
}
