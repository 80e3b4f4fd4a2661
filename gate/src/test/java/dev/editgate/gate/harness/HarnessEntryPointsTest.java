package dev.editgate.gate.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.gate.cli.EditgateCli;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.junit.HeadPermutationContract;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The three ways in: {@code editgate harness}, the gate's {@code --runner} stage, and the JUnit contract's harness() test. */
class HarnessEntryPointsTest {
    @TempDir Path dir;

    record Run(int exit, String out, String err) {}

    static Run cli(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            var cl = EditgateCli.commandLine();
            cl.setErr(new PrintWriter(err, true));
            return new Run(cl.execute(args), bytes.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    static String runnerCommand(String mutant) {
        return "command:" + String.join(" ", HarnessTestSupport.numpyRunner(mutant).command());
    }

    @Test
    void harnessCommandFailsTheSeedsSlicePatchingWithExitOneAndWritesReports() throws Exception {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Path reports = dir.resolve("reports");
        Run r = cli("harness", "--model", "fixture:tiny", "--runner", runnerCommand("slice_patching"), "--tries", "8", "--seed", "3",
                "--report", reports.toString(), "--junit-xml", dir.resolve("junit.xml").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("x equivariance of head patching")
                .contains("minimal counterexample: π = (0 1), S = [0]")
                .contains("diagnosis: " + EquivarianceProperty.SLICES)
                .contains("verdict: FAIL")
                .contains("rerun:   editgate harness --model fixture:tiny");
        assertThat(Files.readString(reports.resolve("report.json"))).contains("\"harness\"").contains("residual coordinates, not heads");
        assertThat(Files.readString(dir.resolve("junit.xml"))).contains("equivariance of head patching");
    }

    @Test
    void tokenCounterexamplesAreReportedAsTextNotAsPermutations() throws Exception {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Path reports = dir.resolve("bos");
        Run r = cli("harness", "--model", "fixture:tiny", "--runner", runnerCommand("bos_prepended"), "--tries", "8", "--seed", "3",
                "--report", reports.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("x baseline logits").contains("minimal counterexample: tokens [").contains("prepends token 0");
        assertThat(Files.readString(reports.resolve("report.html"))).contains("Minimal counterexample <code>tokens [").doesNotContain("heads moved; found");
        assertThat(Files.readString(reports.resolve("report.md"))).contains(" shrink steps) | `tokens [");
    }

    @Test
    void harnessCommandJudgesInvarianceUnderTheChosenEditKind() throws Exception {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Run r = cli("harness", "--model", "fixture:tiny", "--runner", runnerCommand(null), "--tries", "4", "--seed", "3",
                "--edit-kind", "mlp-permutation", "--report", dir.resolve("mlp").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(0);
        assertThat(r.out()).contains("edit kind mlp-permutation (invariance; equivariance uses head permutations)")
                .contains("--edit-kind mlp-permutation applies to the invariance property; equivariance of head patching uses head permutations")
                .contains("--seed 3 --edit-kind mlp-permutation");
        assertThat(Files.readString(dir.resolve("mlp").resolve("report.json"))).contains("\"invariance under mlp-permutation\"");
        Run na = cli("harness", "--model", "fixture:tiny", "--runner", runnerCommand(null), "--edit-kind", "up-down-scaling",
                "--report", dir.resolve("na").toString());
        assertThat(na.exit()).isEqualTo(2);
        assertThat(na.err()).contains("--edit-kind up-down-scaling does not apply to this model").contains("SwiGLU");
        Run unknown = cli("harness", "--model", "fixture:tiny", "--runner", runnerCommand(null), "--edit-kind", "head-shuffle",
                "--report", dir.resolve("unknown").toString());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("--edit-kind 'head-shuffle': unknown edit kind");
    }

    /** The gate's harness stage judges invariance under the gate's --edit-kind. */
    @Test
    void theGatesHarnessStageUsesTheGatesEditKind() throws Exception {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Path reports = dir.resolve("gate");
        Run r = cli("gate", "--model", "fixture:tiny", "--edit-kind", "residual-permutation", "--runner", runnerCommand(null),
                "--tries", "4", "--seed", "3", "--report", reports.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(0);
        assertThat(Files.readString(reports.resolve("report.json"))).contains("\"invariance under residual-permutation\"")
                .doesNotContain("\"invariance under head permutations\"");
    }

    @Test
    void aRunnerThatDoesNotStartIsASetupErrorExitTwo() throws Exception {
        Run missing = cli("harness", "--model", "fixture:tiny", "--runner", "command:/nonexistent/runner", "--report", dir.resolve("a").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--runner command: /nonexistent/runner: no such program");
        Path script = dir.resolve("hello.sh");
        Files.writeString(script, "echo 'not a hello'\n");
        Run bad = cli("harness", "--model", "fixture:tiny", "--runner", "command:sh " + script, "--report", dir.resolve("b").toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("setup problem").contains("the runner did not start").contains("not a hello: not a hello");
    }

    @Test
    void aRunnerThatFailsEveryRequestFailsEachPropertyWithItsErrorAndStderr() throws Exception {
        Path script = dir.resolve("fails.sh");
        Files.writeString(script, "echo '{\"protocol\": 1, \"runner\": \"always fails\", \"dtype\": \"float32\", \"capabilities\": [\"logits\", \"generate\"]}'\n"
                + "while read line; do\n"
                + "  id=$(echo \"$line\" | sed 's/.*\"id\": *\"\\([^\"]*\\)\".*/\\1/')\n"
                + "  echo 'Traceback: model not found' >&2\n"
                + "  echo \"{\\\"id\\\": \\\"$id\\\", \\\"ok\\\": false, \\\"error\\\": \\\"OSError: cannot load model\\\"}\"\n"
                + "done\n");
        Run r = cli("harness", "--model", "fixture:tiny", "--runner", "command:sh " + script, "--tries", "4", "--seed", "1",
                "--report", dir.resolve("fails").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("3 of 3 properties failed: baseline logits, invariance under head permutations, greedy generation")
                .contains("not run: equivariance of head patching (the runner answers neither patch_heads nor ablate_heads)")
                .contains("the runner failed: OSError: cannot load model").contains("Traceback: model not found");
    }

    /** A lab's contract with the built-in edit and its (slice-patching) harness. Not named *Test so the build does not run it directly. */
    static class SlicePatchingHarnessContract extends HeadPermutationContract {
        @Override
        protected HeadPermutationEdit edit() {
            return dev.editgate.core.edit.BuiltInHeadPermutation.INSTANCE;
        }

        @Override
        protected Map<GateKey, String> settings() {
            return Map.of(GateKey.TRIES, "10", GateKey.SEED, "5", GateKey.REPORT, "target/editgate-harness-contract-test",
                    GateKey.RUNNER, runnerCommand("slice_patching"));
        }
    }

    @Test
    void theContractsHarnessTestFailsOnTheLabsSlicePatchingAfterTheEditsStagesPass() {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(SlicePatchingHarnessContract.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(5).succeeded(4).failed(1));
        var failed = tests.failed().list().get(0);
        String message = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow().getMessage();
        assertThat(failed.getTestDescriptor().getDisplayName()).isEqualTo("harness()");
        assertThat(message).contains("editgate harness stage failed").contains("π = (0 1), S = [0]").contains(EquivarianceProperty.SLICES);
    }
}
