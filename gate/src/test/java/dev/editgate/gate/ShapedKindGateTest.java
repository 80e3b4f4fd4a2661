package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind's built-in edit passes the gate on a real-sized fixture (pythia-160m-shaped, fp16; up-down-scaling on the
 * bf16 smollm2-135m-shaped, the family it needs), with few tries. A minute or more per kind (the float64 reference of
 * a 160M model), so opt-in: {@code -Deditgate.kindShaped=true}.
 */
@EnabledIfSystemProperty(named = "editgate.kindShaped", matches = "true")
class ShapedKindGateTest {

    static Stream<String> kinds() {
        return EditKinds.all().stream().filter(k -> k != EditKinds.HEAD_PERMUTATION).map(EditKind::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void theBuiltInEditPassesOnAShapedFixture(String kind, @TempDir Path tmp) {
        String fixture = kind.equals("up-down-scaling") ? "smollm2-135m-shaped" : "pythia-160m-shaped";
        long t0 = System.nanoTime();
        GateReport r = new Gate(GateTestSupport.config(tmp.resolve("r"), 1, 3,
                Map.of(GateKey.MODEL, "fixture:" + fixture, GateKey.EDIT_KIND, kind)), GateListener.NONE).run();
        System.out.printf("shaped: %s on %s: %s in %.1f s (%s)%n", kind, fixture, r.verdict(), (System.nanoTime() - t0) / 1e9,
                r.stages().stream().map(s -> s.name() + " " + s.status() + " " + s.elapsed().toMillis() + " ms").toList());
        assertThat(r.verdict()).as(r.stages().stream().filter(s -> s.status() != StageReport.Status.PASSED)
                .map(s -> s.name() + ": " + s.reason() + " " + GateTestSupport.failureText(s)).toList().toString())
                .isEqualTo(GateReport.Verdict.PASS);
    }
}
