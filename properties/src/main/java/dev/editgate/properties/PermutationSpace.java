package dev.editgate.properties;

import dev.editgate.core.edit.Permutation;
import java.util.List;
import java.util.stream.Stream;

/**
 * A generator of head permutations that also knows its whole space: how many there are, all of them simplest
 * first (for exhaustive runs), its edge cases, which permutations it allows, and the choices that generate one
 * (so an edge case or a replayed counterexample shrinks like a generated one).
 */
public interface PermutationSpace extends Gen<Permutation> {
    long count();

    Stream<Permutation> all();

    List<Permutation> edgeCases();

    boolean allows(Permutation perm);

    long[] encode(Permutation perm);

    /** Number of heads permuted. */
    int heads();
}
