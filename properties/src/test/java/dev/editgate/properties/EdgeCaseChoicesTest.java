package dev.editgate.properties;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Encoded edge cases run before random values, and a failing one shrinks like a generated value. */
class EdgeCaseChoicesTest {
    @Test
    void failingEncodedEdgeCaseIsFoundFirstAndShrunk() {
        Gen<List<Integer>> lists = Gens.lists(Gens.integers(0, 99), 1, 10);
        long[] encoded = {40, 1, 7, 1, 93, 1, 12, 0};            // [40, 7, 93, 12]: first element, then "one more" flags
        PropertyResult<List<Integer>> r = Property.forAll("no element above 50", lists)
                .tries(1).seed(1).database(FailureDatabase.none()).edgeCaseChoices(List.of(encoded))
                .check(l -> { if (l.stream().anyMatch(x -> x > 50)) throw new AssertionError("too large: " + l); });
        assertThat(r.passed()).isFalse();
        assertThat(r.triesRun()).isEqualTo(1);
        assertThat(r.original()).contains(List.of(40, 7, 93, 12));
        assertThat(r.shrunk()).contains(List.of(51));
        assertThat(r.report()).contains("found by edge case");
    }

    @Test
    void passingEdgeCasesCountAsTries() {
        PropertyResult<Integer> r = Property.forAll("small", Gens.integers(0, 9)).tries(3).seed(2).database(FailureDatabase.none())
                .edgeCaseChoices(List.of(new long[] {1}, new long[] {2})).checkThat(x -> x < 10);
        assertThat(r.passed()).isTrue();
        assertThat(r.triesRun()).isEqualTo(3);
    }
}
