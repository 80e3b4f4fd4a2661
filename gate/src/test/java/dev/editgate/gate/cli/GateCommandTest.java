package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.reports.JsonReport;
import dev.editgate.reports.model.GateReport;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
