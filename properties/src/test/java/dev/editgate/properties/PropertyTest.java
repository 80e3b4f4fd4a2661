package dev.editgate.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.core.edit.Permutation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PropertyTest {

    @Test
    void permutationsOfSixHeadsAreCheckedExhaustivelyWhenTriesAllow() {
        List<Permutation> seen = new ArrayList<>();
        PropertyResult<Permutation> r = Property.forAll("all", Gens.permutations(6)).tries(720)
                .database(FailureDatabase.none()).check(seen::add);
        assertThat(r.passed()).isTrue();
        assertThat(r.exhaustive()).isTrue();
        assertThat(r.triesRun()).isEqualTo(720);
        assertThat(seen).doesNotHaveDuplicates().hasSize(720);
        assertThat(r.statistics()).containsEntry("moved heads = 0", 1L).containsEntry("moved heads = 2", 15L)
                .containsEntry("moved heads = 6", 265L);
    }

    @Test
    void exhaustiveRunStopsAtTheMinimalFailure() {
        PropertyResult<Permutation> r = Property.forAll("head 3", Gens.permutations(6)).tries(720)
                .database(FailureDatabase.none()).checkThat(p -> p.apply(3) == 3);
        assertThat(r.exhaustive()).isTrue();
        assertThat(r.original()).contains(Permutation.parse("(0 3)", 6));
        assertThat(r.shrunk()).contains(Permutation.parse("(0 3)", 6));
    }

    @Test
    void edgeCasesAreTriedFirstAndTheirFailuresShrink() {
        List<Permutation> seen = new ArrayList<>();
        PropertyResult<Permutation> r = Property.forAll("no reverse", Gens.permutations(8)).tries(50).seed(1)
                .database(FailureDatabase.none()).check(p -> {
                    seen.add(p);
                    if (p.apply(0) == 7) throw new AssertionError("head 7 moved to position 0");
                });
        assertThat(seen.subList(0, 5)).isEqualTo(Gens.permutations(8).edgeCases().subList(0, 5));
        assertThat(r.original()).contains(Permutation.parse("[7,6,5,4,3,2,1,0]", 8));
        assertThat(r.shrunk()).contains(Permutation.parse("(0 7)", 8));
        assertThat(r.report()).contains("(found by edge case)");
    }

    @Test
    void explicitExhaustiveValuesReplaceRandomOnes() {
        PropertyResult<Integer> r = Property.forAll("small", Gens.integers(0, 1000)).database(FailureDatabase.none())
                .exhaustive(() -> Stream.of(1, 2, 3)).checkThat(i -> i < 3);
        assertThat(r.exhaustive()).isTrue();
        assertThat(r.triesRun()).isEqualTo(3);
        assertThat(r.original()).contains(3);
    }

    @Test
    void theSameSeedGivesTheSameValuesAndADifferentSeedOthers() {
        List<Integer> a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>();
        Gen<Integer> gen = Gens.integers(0, 1_000_000);
        Property.forAll("seeded", gen).seed(5).database(FailureDatabase.none()).check(a::add);
        Property.forAll("seeded", gen).seed(5).database(FailureDatabase.none()).check(b::add);
        Property.forAll("seeded", gen).seed(6).database(FailureDatabase.none()).check(c::add);
        assertThat(a).hasSize(Property.DEFAULT_TRIES).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void seedAndTriesComeFromSystemPropertiesUnlessSetExplicitly() {
        System.setProperty(Property.SEED_PROPERTY, "99");
        System.setProperty(Property.TRIES_PROPERTY, "7");
        try {
            PropertyResult<Integer> r = Property.forAll("sysprops", Gens.integers(0, 9)).database(FailureDatabase.none()).check(i -> {});
            assertThat(r.seed()).isEqualTo(99);
            assertThat(r.triesRun()).isEqualTo(7);
            PropertyResult<Integer> explicit = Property.forAll("sysprops", Gens.integers(0, 9)).seed(3).tries(4)
                    .database(FailureDatabase.none()).check(i -> {});
            assertThat(explicit.seed()).isEqualTo(3);
            assertThat(explicit.triesRun()).isEqualTo(4);
        } finally {
            System.clearProperty(Property.SEED_PROPERTY);
            System.clearProperty(Property.TRIES_PROPERTY);
        }
    }

    @Test
    void aTryPastItsDeadlineFails() {
        PropertyResult<Integer> r = Property.forAll("slow", Gens.integers(0, 10)).tries(3).seed(1)
                .tryDeadline(Duration.ofMillis(50)).shrinkBudget(Duration.ofSeconds(2)).database(FailureDatabase.none())
                .check(i -> Thread.sleep(i >= 0 ? 2_000 : 0));
        assertThat(r.passed()).isFalse();
        assertThat(r.failure().orElseThrow()).hasMessageContaining("try exceeded deadline");
    }

    @Test
    void reportNamesShrunkAndOriginalCounterexampleSeedStepsFailureAndReproduction() {
        PropertyResult<Permutation> r = Property.forAll("head 3 stays", Gens.permutations(8)).seed(42).edgeCases(List.of())
                .database(FailureDatabase.none()).testFilter("SomeTest#headThreeStays")
                .check(p -> {
                    if (p.apply(3) != 3) throw new AssertionError("expected head 3 to stay, but position 3 holds head " + p.apply(3));
                });
        assertThat(r.report())
                .contains("Property 'head 3 stays' failed after")
                .contains("shrunk counterexample:   (0 3) = [3,1,2,0,4,5,6,7]")
                .contains("original counterexample: " + ValueFormat.describe(r.original().orElseThrow()))
                .contains("seed 42")
                .contains("shrink steps:            " + r.shrinkSteps())
                .contains("expected head 3 to stay, but position 3 holds head 0")
                .contains("reproduce:               mvn verify -Dtest='SomeTest#headThreeStays' -Deditgate.seed=42");
        assertThatThrownBy(r::assertPassed).isInstanceOf(PropertyFailedError.class).hasMessage(r.report())
                .hasCauseInstanceOf(AssertionError.class);
    }

    @Test
    void listenerSeesStartTriesAndShrinkSteps() {
        List<String> events = new ArrayList<>();
        Property.forAll("listened", Gens.integers(0, 1000)).seed(2).tries(20).database(FailureDatabase.none())
                .listener(new PropertyListener<Integer>() {
                    @Override public void onStart(String name, int plannedTries) { events.add("start " + name + " " + plannedTries); }
                    @Override public void onTry(int done, int planned, int failures) { events.add("try " + failures); }
                    @Override public void onShrinkStep(int steps, Integer current) { events.add("shrink " + current); }
                })
                .checkThat(i -> i < 10);
        assertThat(events.get(0)).isEqualTo("start listened 20");
        assertThat(events).contains("try 1").last().isEqualTo("shrink 10");
    }

    @Test
    void tooStrictAFilterFailsWithAnExplanation() {
        PropertyResult<Integer> r = Property.forAll("strict", Gens.integers(0, 1000).filter(i -> i < 0)).tries(5)
                .database(FailureDatabase.none()).check(i -> {});
        assertThat(r.passed()).isFalse();
        assertThat(r.report()).contains("discarded").contains("loosen the filter");
    }
}
