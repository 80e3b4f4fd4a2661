package dev.editgate.core.edit;

import dev.editgate.core.model.BlockSet;

/** Move the blocks of {@code set} by the gather map {@code perm}: new block i = old block perm[i]. */
public record BlockMove(BlockSet set, int[] perm) {
    public BlockMove {
        if (perm.length != set.count()) {
            throw new IllegalArgumentException(set.label() + ": a map of " + perm.length + " for " + set.count() + " blocks");
        }
        perm = perm.clone();
    }

    @Override
    public int[] perm() { return perm.clone(); }
}
