package dev.editgate.gate.cli;

import dev.editgate.core.edit.Permutation;

/** Parses {@code --perm} values, naming the flag in errors. */
final class CliPermutations {
    private CliPermutations() {}

    static Permutation parse(String text, int heads) {
        try {
            return Permutation.parse(text, heads);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--perm: " + e.getMessage(), e);
        }
    }
}
