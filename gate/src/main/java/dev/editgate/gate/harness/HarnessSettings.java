package dev.editgate.gate.harness;

import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;

/**
 * The knobs of a harness run.
 *
 * @param layer             the layer whose heads are patched, ablated and permuted
 * @param seed              the properties' seed (printed in every report; reruns are exact)
 * @param baselineTries     token sequences tried by the baseline property
 * @param permutationTries  permutations tried by the invariance property
 * @param patchingTries     (π, S) pairs tried by the equivariance property
 * @param generationTries   prompts tried by the generation property
 * @param maxLength         longest generated token sequence
 * @param newTokens         tokens generated per prompt
 * @param editKind          the edit kind of the invariance property ({@code --edit-kind}; equivariance always uses head permutations)
 */
public record HarnessSettings(int layer, long seed, int baselineTries, int permutationTries, int patchingTries, int generationTries,
                              int maxLength, int newTokens, EditKind<?> editKind) {
    /** The settings with invariance under head permutations (the default kind). */
    public HarnessSettings(int layer, long seed, int baselineTries, int permutationTries, int patchingTries, int generationTries,
                           int maxLength, int newTokens) {
        this(layer, seed, baselineTries, permutationTries, patchingTries, generationTries, maxLength, newTokens, EditKinds.HEAD_PERMUTATION);
    }

    public HarnessSettings {
        java.util.Objects.requireNonNull(editKind, "editKind");
        if (baselineTries < 1 || permutationTries < 1 || patchingTries < 1 || generationTries < 1) {
            throw new IllegalArgumentException("every property needs at least one try");
        }
        if (maxLength < 2) throw new IllegalArgumentException("maxLength must be >= 2 (a causal mask needs two positions), got " + maxLength);
        if (newTokens < 1) throw new IllegalArgumentException("newTokens must be >= 1, got " + newTokens);
    }

    /** The defaults: 25 sequences, 6 permutations, 10 (π, S) pairs, 6 prompts; sequences up to 12 tokens, 6 new tokens. */
    public static HarnessSettings defaults(int layer, long seed) {
        return new HarnessSettings(layer, seed, 25, 6, 10, 6, 12, 6);
    }

    /** All try counts scaled to {@code tries} (the CLI's --tries), each at least one. */
    public HarnessSettings withTries(int tries) {
        return new HarnessSettings(layer, seed, tries, Math.max(1, tries / 4), Math.max(1, tries / 2), Math.max(1, tries / 4), maxLength, newTokens,
                editKind);
    }

    /** The same settings with invariance under {@code kind}. */
    public HarnessSettings withEditKind(EditKind<?> kind) {
        return new HarnessSettings(layer, seed, baselineTries, permutationTries, patchingTries, generationTries, maxLength, newTokens, kind);
    }
}
