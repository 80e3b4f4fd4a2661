package dev.editgate.properties;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailureDatabaseTest {

    @Test
    void theStoredCounterexampleIsReplayedFirstAndRemovedOnceThePropertyPasses(@TempDir Path dir) {
        FailureDatabase db = FailureDatabase.inDirectory(dir);
        PropertyResult<Integer> first = Property.forAll("big", Gens.integers(0, 100_000)).seed(1).database(db).checkThat(i -> i < 1000);
        assertThat(first.shrunk()).contains(1000);
        assertThat(db.load("big")).isPresent();

        List<Integer> seen = new ArrayList<>();
        PropertyResult<Integer> second = Property.forAll("big", Gens.integers(0, 100_000)).seed(12345).database(db)
                .check(i -> {
                    seen.add(i);
                    if (i >= 1000) throw new AssertionError(i + " >= 1000");
                });
        assertThat(seen.get(0)).as("first value tried on the second run").isEqualTo(1000);
        assertThat(second.triesRun()).isEqualTo(1);
        assertThat(second.report()).contains("replaying the failure database");

        PropertyResult<Integer> fixed = Property.forAll("big", Gens.integers(0, 100_000)).seed(1).database(db).check(i -> {});
        assertThat(fixed.passed()).isTrue();
        assertThat(db.load("big")).isEmpty();
    }

    @Test
    void entriesAreKeptPerPropertyName(@TempDir Path dir) throws Exception {
        FailureDatabase db = FailureDatabase.inDirectory(dir);
        db.save("a/b: c", new long[] {3, 1, 4});
        db.save("other", new long[] {});
        assertThat(db.load("a/b: c")).hasValueSatisfying(c -> assertThat(c).containsExactly(3, 1, 4));
        assertThat(db.load("other")).hasValueSatisfying(c -> assertThat(c).isEmpty());
        assertThat(db.load("missing")).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("a_b__c-"));
        }
    }

    @Test
    void noneStoresNothing() {
        FailureDatabase none = FailureDatabase.none();
        none.save("x", new long[] {1});
        assertThat(none.load("x")).isEmpty();
    }
}
