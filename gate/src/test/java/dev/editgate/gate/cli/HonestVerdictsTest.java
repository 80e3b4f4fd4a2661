package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.gate.Gate;
import dev.editgate.gate.GateListener;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.JsonReport;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken setup is not a broken edit: it exits 2 before the gate starts (report folder, device, an edit
 * command that does not start or answer), or ends INCONCLUSIVE with exit 3 (budget spent, a stage that could
 * not run). An edit that fails every call alike is reported once, without shrunk identity counterexamples.
 */
class HonestVerdictsTest {
    @TempDir Path dir;

    static boolean python() {
        return dev.editgate.fixtures.PythonClient.get().available();
    }

    @Test
    void anEditCommandWhoseImportFailsIsASetupProblemInBothModes() throws Exception {
        Assumptions.assumeTrue(python(), () -> dev.editgate.fixtures.PythonClient.get().unavailableReason());
        Path script = dir.resolve("broken_edit.py");
        Files.writeString(script, "import editgate_no_such_module_xyz\n");
        for (String mode : List.of("worker", "one-shot")) {
            EditgateCliTest.Run r = EditgateCliTest.run("gate", "--edit", "command:" + dev.editgate.fixtures.PythonClient.get().executable() + " " + script, "--edit-mode", mode,
                    "--tries", "5", "--seed", "1", "--report", dir.resolve("r-" + mode).toString());
            assertThat(r.exit()).as(mode + ": " + r.out() + r.err()).isEqualTo(EditgateCli.EXIT_USAGE);
            assertThat(r.err()).as(mode).contains("setup problem, the gate did not start")
                    .contains("did not answer its first request").contains("ModuleNotFoundError");
            assertThat(r.out()).as(mode).doesNotContain("verdict:");
        }
    }

    @Test
    void aWorkerThatAnswersWithTheSameErrorEveryTimeIsReportedOnceAsSuch() throws Exception {
        Assumptions.assumeTrue(python(), () -> dev.editgate.fixtures.PythonClient.get().unavailableReason());
        Path script = dir.resolve("keyerror_edit.py");
        Files.writeString(script, "from editgate_client import run\n"
                + "def edit(tensors, request):\n    return {'x': tensors['gpt_neox.layers.99.attention.dense.weight']}\n"
                + "run(edit)\n");
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--edit", "command:" + dev.editgate.fixtures.PythonClient.get().executable() + " " + script, "--tries", "10", "--seed", "3",
                "--report", dir.resolve("r").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(EditgateCli.EXIT_GATE_FAILED);
        assertThat(r.out()).contains("the edit failed on every trial with the same error")
                .contains("KeyError").doesNotContain("minimal counterexample");
        GateReport report = JsonReport.read(dir.resolve("r/report.json"));
        StageReport structural = report.stages().get(0);
        assertThat(structural.properties()).hasSize(1);
        assertThat(structural.properties().get(0).counterexample()).isNull();
        assertThat(structural.properties().get(0).failureMessage()).startsWith("the edit failed on every one of its");
    }

    /** A JVM edit that always throws the same error. */
    static final class AlwaysThrows implements HeadPermutationEdit {
        @Override
        public Checkpoint permuteHeads(Checkpoint original, int layer, Permutation perm) {
            throw new IllegalStateException("tensor 'gpt_neox.layers.1.attention.qkv.weight' not found");
        }
    }

    @Test
    void aJvmEditFailingAlikeOnEveryCallGivesOneMessageNotFourIdentityCounterexamples() {
        GateConfig config = GateConfig.resolve(Map.of(GateKey.REPORT, dir.toString(), GateKey.SEED, "4", GateKey.TRIES, "20"), new Properties());
        GateReport r = new Gate(config, GateListener.NONE).run(new AlwaysThrows(), "always throws");
        assertThat(r.verdict()).isEqualTo(GateReport.Verdict.FAIL);
        StageReport structural = r.stages().get(0);
        assertThat(structural.status()).isEqualTo(StageReport.Status.FAILED);
        assertThat(structural.reason()).startsWith("the edit failed on every trial with the same error: tensor 'gpt_neox.layers.1.attention.qkv.weight' not found")
                .contains("properties not run: they would fail alike");
        assertThat(structural.properties()).singleElement().satisfies(p -> {
            assertThat(p.counterexample()).isNull();
            assertThat(p.failureMessage()).contains("nothing to shrink");
        });
    }

    @Test
    void aSpentTimeBudgetIsInconclusiveWithExitThree() {
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--time-budget", "1ms", "--seed", "2", "--report", dir.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(EditgateCli.EXIT_INCONCLUSIVE);
        assertThat(r.out()).contains("verdict: INCONCLUSIVE").contains("the time budget of 1 ms was spent").contains("the edit was not judged");
    }

    @Test
    void theVerdictSeparatesAFailingEditFromAStageThatCouldNotRun() {
        StageReport passed = new StageReport("structural", StageReport.Status.PASSED, "", Duration.ZERO, List.of());
        StageReport failed = new StageReport("numeric", StageReport.Status.FAILED, "x", Duration.ZERO, List.of());
        StageReport error = new StageReport("functional", StageReport.Status.ERROR, "the stage could not run: boom", Duration.ZERO, List.of());
        StageReport skipped = new StageReport("behavioural", StageReport.Status.SKIPPED, "skipped", Duration.ZERO, List.of());
        assertThat(Gate.verdict(List.of(passed, passed))).isEqualTo(GateReport.Verdict.PASS);
        assertThat(Gate.verdict(List.of(passed, failed, skipped))).isEqualTo(GateReport.Verdict.FAIL);
        assertThat(Gate.verdict(List.of(passed, error, skipped))).isEqualTo(GateReport.Verdict.INCONCLUSIVE);
        assertThat(Gate.verdict(List.of(skipped))).isEqualTo(GateReport.Verdict.INCONCLUSIVE);
        assertThat(GateCommand.exitCode(GateReport.Verdict.INCONCLUSIVE)).isEqualTo(3);
    }

    @Test
    void anUnwritableReportFolderOrAMissingGpuStopsBeforeTheGate() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--report", file.resolve("sub").toString());
        assertThat(r.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(r.err()).contains("--report " + file.resolve("sub")).contains("cannot write reports there");
        Assumptions.assumeTrue(dev.editgate.core.device.Devices.gpuCount() == 0, "this machine has a GPU");
        EditgateCliTest.Run g = EditgateCliTest.run("gate", "--device", "gpu", "--report", dir.resolve("g").toString());
        assertThat(g.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(g.err()).contains("--device gpu: DJL's PyTorch engine sees no GPU");
        assertThat(g.out()).doesNotContain("verdict:");
    }

    @Test
    void helpDocumentsEveryExitCode() {
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--help");
        assertThat(r.out()).contains("0 the gate passed").contains("1 it failed").contains("2 bad usage, input or setup")
                .contains("3 INCONCLUSIVE").contains("--junit-xml");
    }

    @Test
    void shrunkFromOnlyWhenSomethingWasShrunk() {
        var same = new dev.editgate.reports.model.Counterexample(new int[] {1, 0, 2}, "(0 1)", new int[] {1, 0, 2}, "(0 1)", 0);
        var shrunk = new dev.editgate.reports.model.Counterexample(new int[] {1, 0, 2}, "(0 1)", new int[] {2, 0, 1}, "(0 2 1)", 3);
        assertThat(GateCommand.shrunkFrom(same)).isEmpty();
        assertThat(GateCommand.shrunkFrom(shrunk)).isEqualTo("  (shrunk from (0 2 1))");
    }

    static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    static PropertyReport firstFailed(GateReport r) {
        return r.stages().stream().flatMap(s -> s.properties().stream()).filter(p -> p.status() == PropertyReport.Status.FAILED)
                .findFirst().orElseThrow();
    }
}
