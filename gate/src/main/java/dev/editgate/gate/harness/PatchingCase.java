package dev.editgate.gate.harness;

import dev.editgate.core.edit.Permutation;
import java.util.SortedSet;

/** One generated input of the equivariance property: a head permutation π and a set S of (original) heads. */
record PatchingCase(Permutation perm, SortedSet<Integer> heads) {
    int[] headArray() {
        return heads.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return "π = " + perm.toCycleString() + ", S = " + heads;
    }
}
