package dev.editgate.gate;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.reports.model.Environment;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.RunInfo;
import dev.editgate.reports.model.StageReport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/** Builds the {@link GateReport} of a run from its session and stage results. */
public final class ReportAssembler {
    private ReportAssembler() {}

    static GateReport assemble(GateSession s, Instant started, Duration elapsed, GateReport.Verdict verdict, List<StageReport> stages,
                               String rerun) {
        Checkpoint ck = s.original();
        String weightDtype = ck.tensor(ck.layout().heads(s.layer()).parts().get(0).tensor()).dtype().name();
        RunInfo run = new RunInfo(
                s.config().model(),
                s.config().revision(),
                s.modelFolder().toAbsolutePath().toString(),
                contentHash(ck),
                s.config().dtype(),
                weightDtype,
                s.deviceName(),
                s.layer(),
                s.heads(),
                s.editDescription(),
                s.config().seed(),
                s.config().tries(),
                s.prompts(),
                new dev.editgate.reports.model.EditCalls(s.editCalls(), s.editReuses()),
                s.kind().name(),
                !s.kind().perLayer());
        List<String> notes = new ArrayList<>();
        if (weightDtype.equals("BF16")) notes.add("BF16 weights were widened to FP32 before DJL (DJL has no bfloat16)");
        if (s.config().dtype().equals("fp16")) notes.add("fp16 compute: softmax and layer norms run in fp32, as Hugging Face does");
        Environment env = new Environment(
                GateVersion.EDITGATE,
                System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                GateVersion.djl(),
                GateVersion.pytorch(),
                s.deviceName(),
                notes);
        return new GateReport(GateReport.SCHEMA_VERSION, started, elapsed, verdict, run, env, stages, s.plots(),
                rerun);
    }

    /** SHA-256 over every tensor's name, dtype, shape and bytes, in name order; the first 16 hex digits. */
    public static String contentHash(Checkpoint ck) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String name : new TreeSet<>(ck.names())) {
                Tensor t = ck.tensor(name);
                md.update((name + "|" + t.dtype() + "|" + java.util.Arrays.toString(t.shape()) + "\n").getBytes(StandardCharsets.UTF_8));
                ByteBuffer data = t.data();
                md.update(data);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
