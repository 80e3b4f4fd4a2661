package dev.editgate.gate.harness;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.gate.GateVersion;
import dev.editgate.gate.ReportAssembler;
import dev.editgate.reports.model.Environment;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.Plots;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.RunInfo;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** A harness run as the gate's report model (one stage, "harness"), so it is written as JSON, Markdown, HTML and JUnit XML alike. */
public final class HarnessReport {
    public static final String STAGE = "harness";
    public static final String PURPOSE = "the lab's own runner (loading, forward, generation, head patching) satisfies what any correct harness satisfies";

    private HarnessReport() {}

    /** The harness stage's report: PASSED, or FAILED naming the failed properties. */
    public static StageReport stage(Harness.Result r) {
        List<String> failed = r.properties().stream().filter(p -> p.status() == PropertyReport.Status.FAILED).map(PropertyReport::name).toList();
        String reason = failed.isEmpty() ? PURPOSE : failed.size() + " of " + r.properties().size() + " properties failed: " + String.join(", ", failed);
        return new StageReport(STAGE, failed.isEmpty() ? StageReport.Status.PASSED : StageReport.Status.FAILED, reason, r.elapsed(), r.properties());
    }

    public static GateReport of(Harness.Result r, String model, Path folder, Checkpoint ck, int layer, long seed, int tries,
                                Instant started, String rerun) {
        StageReport stage = stage(r);
        RunInfo run = new RunInfo(model, null, folder.toAbsolutePath().toString(), ReportAssembler.contentHash(ck), r.dtype() + " (runner)",
                ck.unembedding().dtype().name(), "runner process", layer, ck.config().numAttentionHeads(), "runner: " + r.runner(), seed, tries,
                List.of());
        Environment env = new Environment(GateVersion.EDITGATE, System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                GateVersion.djl(), GateVersion.pytorch(), "cpu (editgate's float64 reference)", r.notes());
        GateReport.Verdict verdict = stage.status() == StageReport.Status.PASSED ? GateReport.Verdict.PASS : GateReport.Verdict.FAIL;
        return new GateReport(GateReport.SCHEMA_VERSION, started, r.elapsed(), verdict, run, env, List.of(stage), Plots.empty(), rerun);
    }
}
