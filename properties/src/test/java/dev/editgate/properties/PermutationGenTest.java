package dev.editgate.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.core.edit.Permutation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PermutationGenTest {

    private static List<PermutationGen> variants(int n) {
        return List.of(Gens.permutations(n), Gens.permutations(n).withinGroups(2), Gens.permutations(n).parityPreserving(),
                Gens.permutations(n).derangement(), Gens.permutations(n).withinGroups(n / 2).parityPreserving(),
                Gens.permutations(n).withinGroups(n / 2).derangement());
    }

    @Test
    void allEnumeratesEveryAllowedPermutationOnceInShrinkOrder() {
        for (PermutationGen gen : variants(6)) {
            List<Permutation> all = gen.all().toList();
            assertThat(all).as("%s", gen).hasSize((int) gen.count()).doesNotHaveDuplicates().allMatch(gen::allows);
            for (int i = 1; i < all.size(); i++) {
                assertThat(Shrinker.shortlex(gen.encode(all.get(i - 1)), gen.encode(all.get(i))))
                        .as("%s: %s before %s", gen, all.get(i - 1), all.get(i)).isNegative();
            }
        }
        assertThat(Gens.permutations(6).count()).isEqualTo(720);
        assertThat(Gens.permutations(6).derangement().count()).isEqualTo(265);
        assertThat(Gens.permutations(6).parityPreserving().count()).isEqualTo(36);
        assertThat(Gens.permutations(6).withinGroups(2).count()).isEqualTo(8);
    }

    @Test
    void generatedPermutationsObeyTheRestrictionsAndEncodeBackToTheirChoices() {
        SplittableRandom random = new SplittableRandom(7);
        for (PermutationGen gen : variants(8)) {
            Set<Permutation> seen = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                Permutation p = gen.generate(Choices.random(random.split()));
                assertThat(gen.allows(p)).as("%s generated %s", gen, p).isTrue();
                seen.add(p);
                assertThat(gen.generate(Choices.replay(gen.encode(p)))).as("%s round trip of %s", gen, p).isEqualTo(p);
            }
            assertThat(seen.size()).as("%s: distinct permutations in 300 draws", gen).isGreaterThan(Math.min(20, (int) gen.count() / 2));
        }
    }

    @Test
    void allZeroChoicesGiveTheIdentityOrTheSmallestDerangement() {
        assertThat(Gens.permutations(6).generate(Choices.replay(new long[0]))).isEqualTo(Permutation.identity(6));
        assertThat(Gens.permutations(4).derangement().generate(Choices.replay(new long[0])))
                .isEqualTo(Permutation.parse("(0 1)(2 3)", 4));
    }

    @Test
    void parityPreservingSendsEvenHeadsToEvenPositionsAndOddToOdd() {
        PermutationGen gen = Gens.permutations(6).parityPreserving();
        assertThat(gen.allows(Permutation.parse("(0 2 4)(1 5)", 6))).isTrue();
        assertThat(gen.allows(Permutation.parse("(0 1)", 6))).isFalse();
    }

    @Test
    void withinGroupsKeepsHeadsInsideTheirConsecutiveGroup() {
        PermutationGen gen = Gens.permutations(6).withinGroups(3);
        assertThat(gen.allows(Permutation.parse("(0 2)(3 4 5)", 6))).isTrue();
        assertThat(gen.allows(Permutation.parse("(2 3)", 6))).isFalse();
        assertThatThrownBy(() -> Gens.permutations(6).withinGroups(4)).hasMessageContaining("divide the 6 heads");
        assertThatThrownBy(() -> Gens.permutations(6).withinGroups(1).derangement()).hasMessageContaining("no derangement");
    }

    @Test
    void edgeCasesAreTheSeedFamiliesFilteredByTheRestrictions() {
        assertThat(Gens.permutations(6).edgeCases()).extracting(Permutation::toImageString).containsExactly(
                "[0,1,2,3,4,5]", "[1,0,2,3,4,5]", "[1,0,3,2,5,4]", "[0,2,4,1,3,5]", "[5,4,3,2,1,0]", "[1,2,3,4,5,0]");
        assertThat(Gens.permutations(6).derangement().edgeCases()).extracting(Permutation::toImageString).containsExactly(
                "[1,0,3,2,5,4]", "[5,4,3,2,1,0]", "[1,2,3,4,5,0]");
        assertThat(Gens.permutations(6).parityPreserving().edgeCases()).containsExactly(Permutation.identity(6));
    }

    @Test
    void aThreeCycleFailureUnderRestrictionsShrinksToTheSmallestAllowedThreeCycle() {
        PermutationGen gen = Gens.permutations(8).parityPreserving();
        for (long seed = 0; seed < 20; seed++) {
            PropertyResult<Permutation> r = Property.forAll("3-cycle", gen).tries(100).seed(seed).edgeCases(List.of())
                    .database(FailureDatabase.none()).checkThat(p -> p.cycles().stream().noneMatch(c -> c.length == 3));
            assertThat(r.shrunk()).as("seed %d", seed).contains(Permutation.parse("(0 2 4)", 8));
        }
    }

    @Test
    void randomPermutationsCoverEveryMovedCountAndRarelyTheIdentity() {
        PropertyResult<Permutation> r = Property.forAll("spread", Gens.permutations(6)).tries(1000).seed(3)
                .edgeCases(List.of()).database(FailureDatabase.none()).check(p -> {});
        assertThat(r.statistics()).containsKeys("moved heads = 2", "moved heads = 3", "moved heads = 4",
                "moved heads = 5", "moved heads = 6");
        assertThat(r.statistics().getOrDefault("moved heads = 0", 0L)).as("identities in 1000 random tries").isLessThan(30L);
    }

    @Test
    void aPermutationInsideAListShrinksToOneMinimalPermutation() {
        for (long seed = 0; seed < 10; seed++) {
            PropertyResult<List<Permutation>> r = Property.forAll("list", Gens.lists(Gens.permutations(6), 0, 5)).seed(seed)
                    .database(FailureDatabase.none())
                    .checkThat(l -> l.stream().noneMatch(p -> p.cycles().stream().anyMatch(c -> c.length == 3)));
            assertThat(r.shrunk()).as("seed %d", seed).contains(List.of(Permutation.parse("(0 1 2)", 6)));
        }
    }
}
