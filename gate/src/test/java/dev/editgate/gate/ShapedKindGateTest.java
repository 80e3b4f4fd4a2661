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
 * Every kind's built-in edit passes the gate on a real-sized fixture (permutations on pythia-160m-shaped, fp16; the
 * scalings on the bf16 smollm2-135m-shaped: up-down-scaling needs its SwiGLU, and on pythia's fp16 q/k and v/o blocks,
 * which hold subnormal values on both sides, no exponent but 0 is exact, which the gate reports as inconclusive), with few tries. A minute or more per kind (the float64 reference of
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
        String fixture = kind.endsWith("-scaling") ? "smollm2-135m-shaped" : "pythia-160m-shaped";
        long t0 = System.nanoTime();
        GateReport r = new Gate(GateTestSupport.config(tmp.resolve("r"), 1, 3,
                Map.of(GateKey.MODEL, "fixture:" + fixture, GateKey.EDIT_KIND, kind)), GateListener.NONE).run();
        System.out.printf("shaped: %s on %s: %s in %.1f s (%s)%n", kind, fixture, r.verdict(), (System.nanoTime() - t0) / 1e9,
                r.stages().stream().map(s -> s.name() + " " + s.status() + " " + s.elapsed().toMillis() + " ms").toList());
        assertThat(r.verdict()).as(r.stages().stream().filter(s -> s.status() != StageReport.Status.PASSED)
                .map(s -> s.name() + ": " + s.reason() + " " + GateTestSupport.failureText(s)).toList().toString())
                .isEqualTo(GateReport.Verdict.PASS);
    }

    @org.junit.jupiter.api.Test
    void scalingsOnFp16BlocksWithSubnormalsOnBothSidesAreInconclusiveWithTheReason(@TempDir Path tmp) {
        GateReport r = new Gate(GateTestSupport.config(tmp.resolve("r"), 1, 3,
                Map.of(GateKey.MODEL, "fixture:pythia-160m-shaped", GateKey.EDIT_KIND, "qk-scaling")), GateListener.NONE).run();
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.INCONCLUSIVE);
        assertThat(r.stages().get(0).status()).isEqualTo(StageReport.Status.ERROR);
        assertThat(r.stages().get(0).reason()).contains("qk-scaling: no exponent but 0 multiplies every value of layer 6's blocks exactly in F16");
    }
}
