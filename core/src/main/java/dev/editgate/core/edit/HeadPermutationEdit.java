package dev.editgate.core.edit;

import dev.editgate.core.checkpoint.Checkpoint;

/**
 * The edit family the gate checks: "permute the attention heads of one layer by π", in editgate's
 * convention (new head i = old head π(i), see {@link Permutation}). The built-in implementation is
 * {@link BuiltInHeadPermutation}; a lab's own code (JVM or an external process) implements this
 * interface and the gate verifies it against the built-in's invariants.
 */
@FunctionalInterface
public interface HeadPermutationEdit {
    Checkpoint permuteHeads(Checkpoint original, int layer, Permutation perm);

    /** This implementation bound to one layer and permutation. */
    default WeightEdit bind(int layer, Permutation perm) {
        HeadPermutationEdit self = this;
        return new WeightEdit() {
            @Override
            public String describe() {
                return "permute heads of layer " + layer + " by " + perm.toCycleString();
            }

            @Override
            public Checkpoint apply(Checkpoint original) {
                return self.permuteHeads(original, layer, perm);
            }
        };
    }
}
