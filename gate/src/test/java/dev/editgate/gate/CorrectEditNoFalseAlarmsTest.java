package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in (correct) edit passes every gate run, whatever the seed: zero false alarms. CI runs
 * {@code editgate.falseAlarmRuns} runs (default 10, 25 tries each); the 100 runs are
 * {@code -Deditgate.falseAlarmRuns=100}.
 */
class CorrectEditNoFalseAlarmsTest {
    @Test
    void theCorrectEditPassesEveryRun(@TempDir Path tmp) {
        int runs = Integer.getInteger("editgate.falseAlarmRuns", 10);
        List<String> alarms = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int seed = 1; seed <= runs; seed++) {
            GateReport r = new Gate(GateTestSupport.config(tmp.resolve("r" + seed), seed, 25, Map.of()), GateListener.NONE)
                    .run(BuiltInHeadPermutation.INSTANCE, "built-in");
            if (r.verdict() != GateReport.Verdict.PASS) {
                alarms.add("seed " + seed + ": " + r.stages().stream().filter(s -> s.status() != StageReport.Status.PASSED)
                        .map(s -> s.name() + " " + s.reason()).toList());
            }
        }
        System.out.printf("false-alarm check: %d gate runs, %d alarms, %.1f s%n", runs, alarms.size(), (System.nanoTime() - t0) / 1e9);
        assertThat(alarms).isEmpty();
    }
}
