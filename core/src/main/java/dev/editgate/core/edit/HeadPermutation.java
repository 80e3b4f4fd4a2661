package dev.editgate.core.edit;

import dev.editgate.core.checkpoint.Checkpoint;

/** The built-in edit bound to one layer and permutation (new head i = old head π(i)). */
public record HeadPermutation(int layer, Permutation perm) implements WeightEdit {
    @Override
    public String describe() {
        return "permute heads of layer " + layer + " by " + perm.toCycleString();
    }

    @Override
    public Checkpoint apply(Checkpoint original) {
        return BuiltInHeadPermutation.INSTANCE.permuteHeads(original, layer, perm);
    }
}
