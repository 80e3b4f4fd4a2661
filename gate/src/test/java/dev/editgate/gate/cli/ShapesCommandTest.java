package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.reports.JsonReport;
import dev.editgate.reports.model.GateReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code editgate gate --model shapes:FAMILY [--shapes N]}: exit codes, the printed summary and the reports. */
class ShapesCommandTest {

    @Test
    void builtInEditOverGeneratedShapesPassesWithExitZero(@TempDir Path dir) throws Exception {
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--model", "shapes:qwen2", "--shapes", "4", "--seed", "3", "--report", dir.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(EditgateCli.EXIT_PASS);
        assertThat(r.out()).contains("4 of 4 generated qwen2 models ran").contains("verdict: PASS");
        GateReport report = JsonReport.read(dir.resolve("report.json"));
        assertThat(report.shapes().models()).hasSize(4);
        assertThat(report.reproduceCommand()).contains("--model shapes:qwen2").contains("--shapes 4").contains("--seed 3");
        assertThat(Files.readString(dir.resolve("report.md"))).contains("## Generated shapes");
    }

    @Test
    void aShapeDependentMutantFailsWithExitOneAndPrintsTheMinimalAndNearestPassingConfigs(@TempDir Path dir) {
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--model", "shapes:llama", "--edit", "mutant:head_dim_from_hidden", "--seed", "3",
                "--report", dir.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(EditgateCli.EXIT_GATE_FAILED);
        assertThat(r.out()).contains("minimal failing config: llama: 1 layer").contains("nearest passing config: llama: 1 layer")
                .contains("diagnosis: fails when head_dim × heads ≠ hidden").contains("verdict: FAIL");
    }

    @Test
    void anEditCommandThatDoesNotStartIsASetupErrorAtOnceNotAShrunkFailure(@TempDir Path dir) {
        EditgateCliTest.Run r = EditgateCliTest.run("gate", "--model", "shapes:llama", "--edit", "command:/nonexistent/prog", "--report", dir.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(r.err()).contains("/nonexistent/prog").doesNotContain("shrinking");
        assertThat(r.out()).doesNotContain("minimal failing config");
    }

    @Test
    void badShapesArgumentsAreUsageErrors(@TempDir Path dir) {
        EditgateCliTest.Run f = EditgateCliTest.run("gate", "--model", "shapes:bert", "--report", dir.toString());
        assertThat(f.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(f.err()).contains("--model shapes:bert: unknown family; expected shapes:FAMILY with FAMILY one of gpt_neox, llama, mistral, qwen2, gpt2");
        EditgateCliTest.Run n = EditgateCliTest.run("gate", "--model", "shapes:llama", "--shapes", "0", "--report", dir.toString());
        assertThat(n.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(n.err()).contains("--shapes '0': expected an integer in [1, 100000]");
        EditgateCliTest.Run p = EditgateCliTest.run("permute", "--model", "shapes:llama", "--layer", "0", "--perm", "(0 1)", "--out", dir.resolve("x").toString());
        assertThat(p.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(p.err()).contains("accepted by `editgate gate` only");
    }
}
