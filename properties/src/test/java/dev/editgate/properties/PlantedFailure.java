package dev.editgate.properties;

import dev.editgate.core.edit.Permutation;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A deliberately planted bug for the shrinker's self-tests: a predicate that fails on some
 * permutations, and the smallest failing permutation in the shrink order (fewest moved heads, then
 * lowest moved heads, then smallest image list).
 *
 * @param failsOn true for the permutations that make the planted property fail
 * @param minimum the known minimum, in cycle notation
 */
record PlantedFailure(String name, Predicate<Permutation> failsOn, String minimum) {

    /**
     * The four planted failures of issue 3, and one that needs a 3-cycle through a high head. Minima: every failure needs at least two moved heads
     * except the 3-cycle; among two-point sets, {0,3} is the smallest containing 3, {0,1} the
     * smallest with an even head landing on an odd position, {0,2} the only one with π(0) = 2;
     * of the two 3-cycles on {0,1,2}, (0 1 2) = [1,2,0] has the smaller image list; likewise
     * (0 1 5) = [1,5,2,3,4,0] is the smaller 3-cycle on {0,1,5}, the lowest set holding a 3-cycle through 5.
     */
    static List<PlantedFailure> all() {
        return List.of(
                new PlantedFailure("moves head 3", p -> p.apply(3) != 3, "(0 3)"),
                new PlantedFailure("contains a 3-cycle", p -> p.cycles().stream().anyMatch(c -> c.length == 3), "(0 1 2)"),
                new PlantedFailure("moves an even head to an odd position", PlantedFailure::evenHeadAtOddPosition, "(0 1)"),
                new PlantedFailure("π(0) = 2", p -> p.apply(0) == 2, "(0 2)"),
                new PlantedFailure("has a 3-cycle through head 5", p -> p.cycles().stream()
                        .anyMatch(c -> c.length == 3 && Arrays.stream(c).anyMatch(x -> x == 5)), "(0 1 5)"));
    }

    /** New position i holds old head π(i): fails when an odd position holds an even head. */
    private static boolean evenHeadAtOddPosition(Permutation p) {
        for (int i = 1; i < p.size(); i += 2) if (p.apply(i) % 2 == 0) return true;
        return false;
    }

    /** Checks the planted property "never {@code failsOn}" with random tries only (no edge cases, no database). */
    PropertyResult<Permutation> check(int heads, long seed) {
        return Property.forAll(name, Gens.permutations(heads))
                .tries(100)
                .seed(seed)
                .edgeCases(List.of())
                .database(FailureDatabase.none())
                .checkThat(failsOn.negate());
    }
}
