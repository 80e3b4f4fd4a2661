package dev.editgate.properties;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Plain generators shrink like Hypothesis on its classic examples, for every seed tried. */
class ClassicShrinkTest {
    private static final int SEEDS = 20;

    private static <T> T shrunk(Property<T> property, java.util.function.Predicate<T> mustHold) {
        PropertyResult<T> r = property.database(FailureDatabase.none()).checkThat(mustHold);
        assertThat(r.passed()).as("the planted property must fail").isFalse();
        return r.shrunk().orElseThrow();
    }

    @Test
    void listWhoseSumExceeds100ShrinksToTheSingleElement101() {
        for (long seed = 0; seed < SEEDS; seed++) {
            List<Integer> list = shrunk(Property.forAll("sum", Gens.lists(Gens.integers(0, 1000), 0, 20)).seed(seed),
                    l -> l.stream().mapToInt(Integer::intValue).sum() <= 100);
            assertThat(list).as("seed %d", seed).containsExactly(101);
        }
    }

    @Test
    void integerAtLeast1000ShrinksTo1000() {
        for (long seed = 0; seed < SEEDS; seed++) {
            int n = shrunk(Property.forAll("int", Gens.integers(-100_000, 100_000)).seed(seed), i -> i < 1000);
            assertThat(n).as("seed %d", seed).isEqualTo(1000);
        }
    }

    @Test
    void rangesAwayFromZeroShrinkToTheBoundNearestZero() {
        assertThat(shrunk(Property.forAll("pos", Gens.integers(10, 20)).seed(1), i -> false)).isEqualTo(10);
        assertThat(shrunk(Property.forAll("neg", Gens.integers(-20, -10)).seed(1), i -> false)).isEqualTo(-10);
        assertThat(shrunk(Property.forAll("long", Gens.longs(Long.MIN_VALUE, Long.MAX_VALUE)).seed(1), l -> l > -5)).isEqualTo(-5L);
    }

    @Test
    void negativeBelowMinus50ShrinksToMinus51() {
        for (long seed = 0; seed < SEEDS; seed++) {
            int n = shrunk(Property.forAll("neg", Gens.integers(-1000, 1000)).seed(seed), i -> i > -51);
            assertThat(n).as("seed %d", seed).isEqualTo(-51);
        }
    }

    @Test
    void listWithADuplicateShrinksToTwoZeros() {
        for (long seed = 0; seed < SEEDS; seed++) {
            List<Integer> list = shrunk(Property.forAll("dup", Gens.lists(Gens.integers(0, 1000), 0, 20)).seed(seed),
                    l -> new HashSet<>(l).size() == l.size());
            assertThat(list).as("seed %d", seed).containsExactly(0, 0);
        }
    }

    @Test
    void listLongerThanThreeShrinksToFourZeros() {
        for (long seed = 0; seed < SEEDS; seed++) {
            List<Integer> list = shrunk(Property.forAll("len", Gens.lists(Gens.integers(0, 1000), 0, 20)).seed(seed),
                    l -> l.size() <= 3);
            assertThat(list).as("seed %d", seed).containsExactly(0, 0, 0, 0);
        }
    }

    @Test
    void pairOfIntegersWithLargeSumShrinksToTheFirstZero() {
        for (long seed = 0; seed < SEEDS; seed++) {
            List<Integer> pair = shrunk(Property.forAll("pair",
                    Gens.combine(Gens.integers(0, 1000), Gens.integers(0, 1000), List::of)).seed(seed), p -> p.get(0) + p.get(1) <= 500);
            assertThat(pair).as("seed %d", seed).containsExactly(0, 501);
        }
    }

    @Test
    void filteredAndMappedGeneratorsShrinkThroughTheComposition() {
        for (long seed = 0; seed < SEEDS; seed++) {
            int even = shrunk(Property.forAll("even", Gens.integers(0, 10_000).filter(i -> i % 2 == 0).map(i -> i * 3)).seed(seed),
                    i -> i < 300);
            assertThat(even).as("seed %d", seed).isEqualTo(300);
        }
    }

    @Test
    void subsetsShrinkToFewestThenLowestElements() {
        for (long seed = 0; seed < SEEDS; seed++) {
            Set<Integer> s = shrunk(Property.forAll("subset", Gens.subsets(10)).seed(seed), set -> !set.contains(7));
            assertThat(s).as("seed %d", seed).containsExactly(7);
        }
    }

    @Test
    void flatMapShrinksTheOuterAndInnerChoices() {
        for (long seed = 0; seed < SEEDS; seed++) {
            List<Integer> list = shrunk(Property.forAll("flat",
                    Gens.integers(1, 10).flatMap(n -> Gens.lists(Gens.integers(0, n), n, n))).seed(seed),
                    l -> l.stream().noneMatch(x -> x >= 3));
            assertThat(list).as("seed %d", seed).containsExactly(0, 0, 3); // n = 3 is forced; [0,0,3] has the smaller choices
        }
    }
}
