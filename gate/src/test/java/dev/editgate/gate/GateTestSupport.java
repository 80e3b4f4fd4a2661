package dev.editgate.gate;

import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** Small helpers for tests that run the whole gate. */
final class GateTestSupport {
    private GateTestSupport() {}

    static GateConfig config(Path report, long seed, int tries, Map<GateKey, String> extra) {
        Map<GateKey, String> m = new EnumMap<>(GateKey.class);
        m.put(GateKey.REPORT, report.toString());
        m.put(GateKey.SEED, Long.toString(seed));
        m.put(GateKey.TRIES, Integer.toString(tries));
        m.putAll(extra);
        return GateConfig.resolve(m, new Properties());
    }

    /** The first stage that did not pass. */
    static Optional<StageReport> firstFailedStage(GateReport r) {
        return r.stages().stream().filter(s -> s.status() == StageReport.Status.FAILED).findFirst();
    }

    /**
     * The minimal counterexample a failed stage shows, as cycles; "()" also when the edit failed alike on every
     * call, which the gate reports once without a counterexample (no permutation works).
     */
    /** Every failed property's failure message and diagnosis, concatenated: what the gate told the user. */
    static String failureText(StageReport stage) {
        return stage.properties().stream().filter(p -> p.status() == dev.editgate.reports.model.PropertyReport.Status.FAILED)
                .map(p -> p.failureMessage() + "\n" + p.diagnosis()).reduce("", String::concat);
    }

    static String minimalCycles(StageReport stage) {
        boolean everyCall = stage.reason().startsWith("the edit failed on every trial with the same error");
        if (everyCall) {
            org.assertj.core.api.Assertions.assertThat(stage.properties()).singleElement()
                    .satisfies(p -> org.assertj.core.api.Assertions.assertThat(p.counterexample()).isNull());
            return "()";
        }
        return smallestFailure(stage).counterexample().shrunkCycles();
    }

    /** Among a stage's failed properties, the one with the smallest counterexample (fewest moved heads). */
    static PropertyReport smallestFailure(StageReport stage) {
        return stage.properties().stream()
                .filter(p -> p.status() == PropertyReport.Status.FAILED && p.counterexample() != null)
                .min(Comparator.comparingInt((PropertyReport p) -> moved(p.counterexample().shrunk())))
                .orElseThrow(() -> new AssertionError("stage " + stage.name() + " failed without a counterexample: " + stage.reason()));
    }

    static int moved(int[] image) {
        int n = 0;
        for (int i = 0; i < image.length; i++) if (image[i] != i) n++;
        return n;
    }
}
