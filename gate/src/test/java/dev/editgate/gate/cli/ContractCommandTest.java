package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code editgate contract}: exit 0 on the reference edit, 1 naming the clause on a mutant, 2 on a bad contract; reports written. */
class ContractCommandTest {
    @TempDir Path dir;
    static final Path CONTRACT = Path.of("../docs/examples/tiny-knowledge-edit.contract").toAbsolutePath().normalize();

    @Test
    void referenceEditPassesTheExampleContract() throws Exception {
        Path report = dir.resolve("report");
        EditgateCliTest.Run r = EditgateCliTest.run("contract", "--contract", CONTRACT.toString(), "--edit", "rank-one-key-value",
                "--model", "fixture:tiny", "--report", report.toString(), "--set", "preservation.tries=40", "--set", "preservation.seed=2");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("verdict: PASS");
        JsonNode json = new ObjectMapper().readTree(report.resolve("contract-report.json").toFile());
        assertThat(json.get("verdict").asText()).isEqualTo("PASS");
        assertThat(json.get("clauses")).hasSize(9);
        assertThat(Files.readString(report.resolve("contract-report.md"))).contains("| rank of ΔW | PASSED |");
        assertThat(Files.readString(report.resolve("contract-report.html"))).contains("<h1>editgate contract:");
    }

    @Test
    void mutantFailsWithTheShrunkPromptInEveryReport() throws Exception {
        Path report = dir.resolve("report");
        EditgateCliTest.Run r = EditgateCliTest.run("contract", "--contract", CONTRACT.toString(), "--edit", "mutant:fires_on_token_class",
                "--model", "fixture:tiny", "--report", report.toString(), "--set", "preservation.seed=1");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("FAILED   preservation on unrelated prompts  minimal prompt \"1\" [50] (1 token");
        JsonNode v = new ObjectMapper().readTree(report.resolve("contract-report.json").toFile()).get("preservation_violation");
        assertThat(v.get("text").asText()).isEqualTo("1");
        assertThat(v.get("positions").get(0).get("kl").asDouble()).isGreaterThan(0.02);
        assertThat(Files.readString(report.resolve("contract-report.html"))).contains("Minimal prompt that breaks preservation");
    }

    @Test
    void badContractIsExitTwoNamingTheKey() throws Exception {
        Path bad = dir.resolve("bad.contract");
        Files.writeString(bad, "tensors.allowed = x\nmax-rnak = 1\n");
        EditgateCliTest.Run r = EditgateCliTest.run("contract", "--contract", bad.toString(), "--edit", "head-pruning", "--model", "fixture:tiny",
                "--report", dir.resolve("r").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err() + r.out()).contains("unknown contract key 'max-rnak'");
        assertThat(EditgateCliTest.run("contract", "--contract", CONTRACT.toString(), "--edit", "mutant:nope", "--model", "fixture:tiny",
                "--report", dir.resolve("r2").toString()).exit()).isEqualTo(2);
    }
}
