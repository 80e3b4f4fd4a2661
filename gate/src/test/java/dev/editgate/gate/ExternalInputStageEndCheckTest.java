package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.external.ExternalEditSpec;
import dev.editgate.core.external.ExternalHeadPermutationEdit;
import dev.editgate.core.safetensors.DType;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.stage.StructuralStage;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trials check an external edit's input copy by inode stamps only; the gate re-hashes the whole copy at the end of
 * every stage, so a modification no trial could see (here: made after the stage's last trial) still fails the stage
 * with the input message.
 */
class ExternalInputStageEndCheckTest {
    @Test
    void aModificationAfterTheLastTrialFailsTheStageAtItsEnd(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(dev.editgate.fixtures.PythonClient.get().available(), () -> dev.editgate.fixtures.PythonClient.get().unavailableReason());
        Path model = GateRejectsMutantsTest.privateCopy(Fixtures.tiny(DType.F32), tmp.resolve("model"));
        Path python = Path.of("..", "python").toAbsolutePath().normalize();
        var spec = new ExternalEditSpec(List.of(dev.editgate.fixtures.PythonClient.get().executable(), "examples/numpy_head_permutation.py"),
                ExternalEditSpec.Mode.WORKER, Duration.ofSeconds(60), python);
        try (ExternalHeadPermutationEdit edit = ExternalHeadPermutationEdit.of(spec, model)) {
            Path copy = edit.inputFolder().resolve("model.safetensors");
            Assumptions.assumeTrue(java.nio.file.Files.isWritable(copy), "the read-only copy can be written only as root");
            AtomicInteger finished = new AtomicInteger();
            int properties = 4; // the structural stage's properties: identity, blocks, locality, round trip
            GateListener tamperAfterTheLastProperty = new GateListener() {
                @Override
                public void propertyFinished(String stage, PropertyReport report) {
                    if (finished.incrementAndGet() == properties) flipLastByte(copy); // no trial follows
                }
            };
            GateReport r = new Gate(GateTestSupport.config(tmp.resolve("report"), 7L, 3, Map.of(GateKey.MODEL, model.toString())),
                    tamperAfterTheLastProperty).run(edit, "numpy example", List.of(new StructuralStage()));

            assertThat(finished.get()).isEqualTo(properties);
            StageReport structural = r.stages().get(0);
            assertThat(structural.properties()).allMatch(p -> p.status() == PropertyReport.Status.PASSED);
            assertThat(structural.status()).isEqualTo(StageReport.Status.FAILED);
            assertThat(structural.reason()).contains("(checked after its trials): edit modified its input: " + copy + " tensor ").endsWith(" changed");
            assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        }
    }

    private static void flipLastByte(Path file) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 1);
            int b = raf.read();
            raf.seek(raf.length() - 1);
            raf.write(b ^ 0x01);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
