package dev.editgate.gate.harness;

import dev.editgate.core.runner.RunnerSpec;
import dev.editgate.gate.GateListener;
import dev.editgate.gate.GateSession;
import dev.editgate.gate.stage.GateProperty;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The gate's optional last stage ({@code --runner}): the harness properties on the gate's model and layer, with the
 * gate's seed and edit kind (for invariance), at most 25 baseline tries (the others scale from it). A runner that cannot start, or an error outside
 * the runner's answers, makes the stage ERROR (verdict INCONCLUSIVE), not FAILED.
 */
public final class HarnessStage {
    public static final String NAME = HarnessReport.STAGE;

    private HarnessStage() {}

    public static StageReport run(GateSession s, GateListener listener) {
        listener.stageStarted(NAME);
        long t0 = System.nanoTime();
        try {
            RunnerSpec spec = RunnerSpec.parse(s.config().runner().orElseThrow(), s.config().editTimeout(), Path.of("").toAbsolutePath());
            HarnessSettings settings = HarnessSettings.defaults(s.layer(), s.config().seed()).withTries(Math.min(25, s.config().tries()))
                    .withEditKind(dev.editgate.gate.kind.EditKinds.named(s.config().editKind()));
            Harness.Result r = Harness.run(spec, s.modelFolder(), settings, p -> listener.phase("harness: " + p));
            StageReport stage = HarnessReport.stage(r);
            return new StageReport(NAME, stage.status(), stage.reason() + " (" + r.notes().get(0) + ")", stage.elapsed(), stage.properties());
        } catch (RuntimeException e) {
            return new StageReport(NAME, StageReport.Status.ERROR, "the stage could not run: " + GateProperty.message(e),
                    Duration.ofNanos(System.nanoTime() - t0), List.of());
        }
    }
}
