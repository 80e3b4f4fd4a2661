package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.reports.JsonReport;
import dev.editgate.reports.model.GateReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code editgate gate} as a user runs it: verdict, exit code, reports, and one-line errors. */
class GateCommandTest {
    @TempDir Path dir;

    @Test
    void theEmbeddedDefaultPassesAndWritesAllThreeReports() throws Exception {
        Path report = dir.resolve("report");
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--tries", "20", "--seed", "5", "--report", report.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(EditgateCli.EXIT_PASS);
        assertThat(r.out()).contains("verdict: PASS").contains(report.resolve("report.html").toAbsolutePath().toString())
                .contains("rerun:   ./editgate gate --tries 20").contains("--seed 5");
        GateReport json = JsonReport.read(report.resolve("report.json"));
        assertThat(json.verdict()).isEqualTo(GateReport.Verdict.PASS);
        assertThat(json.stages()).extracting(s -> s.name()).containsExactly("structural", "numeric", "functional", "behavioural");
        assertThat(json.plots().logitErrors()).isNotNull();
        assertThat(json.plots().spectra()).hasSize(2);
        assertThat(Files.readString(report.resolve("report.md"))).contains("PASS");
        assertThat(Files.readString(report.resolve("report.html"))).contains("<svg");
    }

    @Test
    void theSeedsBugFailsWithExitOneTheMinimalCounterexampleAndTheDiagnosis() {
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--edit", "mutant:seed_component_major_qkv", "--seed", "9", "--report", dir.toString());
        assertThat(r.exit()).isEqualTo(EditgateCli.EXIT_GATE_FAILED);
        assertThat(r.out()).contains("verdict: FAIL")
                .contains("minimal counterexample: (0 1)")
                .contains("diagnosis: QKV weight and bias: QKV rows were permuted as if laid out [3, heads, head_dim]")
                .contains("numeric      SKIPPED");
    }

    @Test
    void badSettingsExitTwoWithOneLineNamingTheFlag() {
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--tries", "lots", "--report", dir.toString());
        assertThat(r.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(r.err()).contains("--tries 'lots'").contains("expected an integer");
        EditgateCliTest.Run m = EditgateCliTest.run("gate", "--edit", "mutant:nope", "--report", dir.toString());
        assertThat(m.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(m.err()).contains("--edit mutant:nope: unknown mutant").contains("seed_component_major_qkv");
        EditgateCliTest.Run l = EditgateCliTest.run("gate", "--layer", "7", "--report", dir.toString());
        assertThat(l.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(l.err()).contains("--layer 7 is out of range");
    }

    @Test
    void aMissingEditProgramIsASetupErrorExitTwo() {
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--edit", "command:/nonexistent/prog", "--report", dir.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(r.err()).contains("/nonexistent/prog: no such program").doesNotContain("\tat ");
    }

    /**
     * A worker that leaves 20 setsid'd and a double-forked sleeper behind: after the gate ends, none is
     * alive. Needs a sandbox with its own PID namespace (bwrap or unshare); the session fallback cannot catch a
     * child that calls setsid itself.
     */
    @Test
    void noProcessAnEditStartedOutlivesTheGate() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.editgate.core.external.Sandbox.current().isolates(), "no PID-namespace sandbox here");
        String mark = "1000." + (System.nanoTime() % 1_000_000);
        String field = "sed 's/.*\"%s\":\"\\([^\"]*\\)\".*/\\1/'";
        String script = "while read -r r; do"
                + " in=$(printf %s \"$r\" | " + field.formatted("input") + "); out=$(printf %s \"$r\" | " + field.formatted("output") + ");"
                + " id=$(printf %s \"$r\" | " + field.formatted("id") + ");"
                + " if [ -z \"$forked\" ]; then forked=1; i=0; while [ $i -lt 20 ]; do (setsid sleep " + mark + " &); i=$((i+1)); done;"
                + " (sh -c 'sleep " + mark + " &' &); fi;"
                + " cp \"$in/model.safetensors\" \"$out/\"; printf '{\"id\":\"%s\",\"ok\":true}\\n' \"$id\"; done";
        Path scriptFile = Files.writeString(dir.resolve("forker.sh"), script);
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--edit", "command:sh " + scriptFile, "--tries", "3", "--seed", "1",
                "--report", dir.resolve("report").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(EditgateCli.EXIT_GATE_FAILED); // an identity "edit": structural fails
        assertThat(r.out()).contains("structural   FAILED");
        long deadline = System.nanoTime() + 3_000_000_000L;
        List<Long> alive = running(mark);
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            alive = running(mark);
        }
        assertThat(alive).as("sleepers the edit started, alive after the gate ended").isEmpty();
    }

    static List<Long> running(String marker) throws java.io.IOException {
        List<Long> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : s) {
                try {
                    if (!new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(marker)) continue;
                    String stat = Files.readString(p.resolve("stat"));
                    if (stat.charAt(stat.lastIndexOf(')') + 2) != 'Z') out.add(Long.parseLong(p.getFileName().toString()));
                } catch (java.io.IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            }
        }
        return out;
    }
}
