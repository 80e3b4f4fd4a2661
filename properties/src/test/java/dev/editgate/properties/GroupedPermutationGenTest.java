package dev.editgate.properties;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.edit.GroupedHeads;
import dev.editgate.core.edit.Permutation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupedPermutationGenTest {
    final PermutationSpace gen = Gens.headPermutations(6, 2);     // 2 KV groups of 3 query heads

    @Test
    void everyGeneratedPermutationKeepsTheGroupsAndEncodesBack() {
        Set<Permutation> seen = new HashSet<>();
        for (long seed = 0; seed < 300; seed++) {
            Choices c = Choices.random(new java.util.SplittableRandom(seed));
            Permutation p = gen.generate(c);
            assertThat(GroupedHeads.keepsGroups(p, 3)).as(p.toCycleString()).isTrue();
            assertThat(gen.generate(Choices.replay(gen.encode(p)))).isEqualTo(p);
            seen.add(p);
        }
        assertThat(seen.size()).as("distinct permutations drawn").isGreaterThan(30);
        assertThat(gen.count()).isEqualTo(2L * 6 * 6);
        assertThat(gen.all().distinct().count()).isEqualTo(72);
        assertThat(gen.all().allMatch(gen::allows)).isTrue();
        assertThat(gen.allows(Permutation.parse("(2 3)", 6))).isFalse();
    }

    @Test
    void failuresShrinkToTheLowestSwapInsideAGroupOrToASwapOfTwoGroups() {
        var inside = Property.forAll("moves head 4", gen).seed(7L).tries(50).edgeCases(List.of()).database(FailureDatabase.none())
                .check(p -> { if (p.apply(4) != 4) throw new AssertionError("moved"); });
        assertThat(inside.shrunk().orElseThrow().toCycleString()).isEqualTo("(3 4)");
        var any = Property.forAll("moves a head", gen).seed(7L).tries(50).edgeCases(List.of()).database(FailureDatabase.none())
                .check(p -> { if (!p.isIdentity()) throw new AssertionError("moved"); });
        assertThat(any.shrunk().orElseThrow().toCycleString()).isEqualTo("(0 1)");
        var crossing = Property.forAll("crosses groups", gen).seed(7L).tries(50).edgeCases(List.of()).database(FailureDatabase.none())
                .check(p -> { if (p.apply(0) >= 3) throw new AssertionError("crossed"); });
        assertThat(crossing.shrunk().orElseThrow().toCycleString()).isEqualTo("(0 3)(1 4)(2 5)");
    }
}
