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
 * Every edit kind's built-in reference edit passes the gate on every family's tiny fixture it applies to, and raises
 * no false alarm over {@code editgate.kindRuns} seeds per kind (default 2; the 100 are
 * {@code -Deditgate.kindRuns=100}), the seeds spread over the fixtures.
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
        GateReport r = run(kind, fixture, 1, tmp);
        assertThat(r.verdict()).as(alarm(r)).isEqualTo(GateReport.Verdict.PASS);
        assertThat(r.stages()).extracting(StageReport::name).containsExactly("structural", "numeric", "functional", "behavioural");
        assertThat(r.stages().subList(0, 3)).allMatch(s -> s.status() == StageReport.Status.PASSED && !s.properties().isEmpty());
        assertThat(r.run().editKind()).isEqualTo(kind);   // the report says which kind was checked, and on what
        assertThat(r.run().wholeModel()).isEqualTo(kind.equals("residual-permutation"));
        assertThat(r.run().scope()).isEqualTo(kind.equals("residual-permutation") ? "the whole model"
                : "layer " + r.run().layer() + " (" + r.run().heads() + " heads)");
        if (kind.equals("mlp-permutation")) {
            assertThat(r.stages().get(3).status()).isEqualTo(StageReport.Status.PASSED);
            assertThat(r.stages().get(3).properties()).extracting(p -> p.name()).containsExactly("neuron ablations follow the weights (equivariance)");
        } else {
            assertThat(r.stages().get(3).reason()).startsWith("not applicable to " + kind);
        }
        if (kind.equals("residual-permutation")) {
            // the whole-model kind: its functional stage compares full-model logits, run from the tokens
            assertThat(r.stages().get(2).properties()).extracting(p -> p.description()).singleElement().asString()
                    .contains("the whole edited model runs from the tokens");
        }
    }

    /** Every kind, head-permutation included (through --edit-kind, as the CLI runs it). */
    static Stream<String> kinds() {
        return EditKinds.all().stream().map(EditKind::name);
    }

    /** {@code editgate.kindRuns} seeds per kind (default 2), seed s on the s-th applicable tiny fixture in turn. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void noFalseAlarmOverManySeeds(String kind, @TempDir Path tmp) {
        int runs = Integer.getInteger("editgate.kindRuns", 2);
        List<String> fixtures = FixtureSpec.tinyPerFamily().stream().filter(s -> applies(EditKinds.named(kind), s)).map(FixtureSpec::name).toList();
        List<String> alarms = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int seed = 1; seed <= runs; seed++) {
            String fixture = fixtures.get(seed % fixtures.size());
            GateReport r = run(kind, fixture, seed, tmp.resolve("r" + seed));
            if (r.verdict() != GateReport.Verdict.PASS || r.stages().get(0).properties().isEmpty()) alarms.add("seed " + seed + " on " + fixture + ": " + alarm(r));
        }
        System.out.printf("kind %s: %d gate runs over %s, %d alarms, %.1f s%n", kind, runs, fixtures, alarms.size(), (System.nanoTime() - t0) / 1e9);
        assertThat(alarms).isEmpty();
    }

    static GateReport run(String kind, String fixture, long seed, Path report) {
        return new Gate(GateTestSupport.config(report, seed, 10, Map.of(GateKey.MODEL, "fixture:" + fixture, GateKey.EDIT_KIND, kind)),
                GateListener.NONE).run();
    }

    static String alarm(GateReport r) {
        return r.stages().stream().filter(s -> s.status() != StageReport.Status.PASSED)
                .map(s -> s.name() + " " + s.status() + " " + s.reason() + " " + GateTestSupport.failureText(s)).toList().toString();
    }
}
