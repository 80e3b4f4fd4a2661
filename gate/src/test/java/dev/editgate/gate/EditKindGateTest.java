package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every edit kind's built-in reference edit passes the gate on every family's tiny fixture it applies to (no false
 * alarm over {@code editgate.kindRuns} seeds, default 1; the 100 are {@code -Deditgate.kindRuns=100}).
 */
class EditKindGateTest {

    static Stream<Arguments> kindsAndFixtures() {
        List<Arguments> out = new ArrayList<>();
        for (EditKind<?> kind : EditKinds.all()) {
            if (kind == EditKinds.HEAD_PERMUTATION) continue; // FamilyGateTest covers it
            for (FixtureSpec spec : FixtureSpec.tinyPerFamily()) {
                if (applies(kind, spec)) out.add(Arguments.of(kind.name(), spec.name()));
            }
        }
        return out.stream();
    }

    static boolean applies(EditKind<?> kind, FixtureSpec spec) {
        if (kind == EditKinds.UP_DOWN_SCALING) return spec.config().architecture().family().equals("llama");
        return true;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("kindsAndFixtures")
    void theBuiltInEditOfEveryKindPassesOnEveryFamily(String kind, String fixture, @TempDir Path tmp) {
        int runs = Integer.getInteger("editgate.kindRuns", 1);
        List<String> alarms = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int seed = 1; seed <= runs; seed++) {
            GateReport r = new Gate(GateTestSupport.config(tmp.resolve("r" + seed), seed, 10,
                    Map.of(GateKey.MODEL, "fixture:" + fixture, GateKey.EDIT_KIND, kind)), GateListener.NONE).run();
            if (r.verdict() != GateReport.Verdict.PASS) {
                alarms.add("seed " + seed + ": " + r.stages().stream().filter(s -> s.status() != StageReport.Status.PASSED)
                        .map(s -> s.name() + " " + s.status() + " " + s.reason() + " " + GateTestSupport.failureText(s)).toList());
            }
            if (seed == 1) {
                assertThat(r.stages()).extracting(StageReport::name).containsExactly("structural", "numeric", "functional", "behavioural");
                assertThat(r.stages().get(3).reason()).startsWith("not applicable to " + kind);
            }
        }
        System.out.printf("kind %s on %s: %d gate runs, %d alarms, %.1f s%n", kind, fixture, runs, alarms.size(), (System.nanoTime() - t0) / 1e9);
        assertThat(alarms).isEmpty();
    }
}
