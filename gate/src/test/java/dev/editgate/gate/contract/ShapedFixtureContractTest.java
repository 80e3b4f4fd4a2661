package dev.editgate.gate.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.contract.Clause;
import dev.editgate.core.contract.ClauseResult;
import dev.editgate.fixtures.Fixtures;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reference edits pass their contracts on a full-size model: pythia-160m's shape (12 layers, hidden 768, MLP 3072,
 * F16 weights, random values; generated once into the fixture cache), fewer generated prompts than on the tiny ones.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShapedFixtureContractTest {
    private Path folder;
    private Checkpoint ck;

    @BeforeAll
    void load() {
        folder = Fixtures.named("pythia-160m-shaped");
        ck = Checkpoint.load(folder);
    }

    private Map<String, String> smaller(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>(m);
        out.put("preservation.tries", "20");
        out.put("preservation.max-length", "8");
        return out;
    }

    private ContractVerdict judge(String edit, Map<String, String> contract) {
        ContractGate gate = new ContractGate(ReferenceContracts.parse(contract, 3), folder, ContractGate.Options.defaults());
        ContractEdits.Resolved r = ContractEdits.resolve(edit, folder, null, null);
        ContractVerdict v = gate.judge(r.edit(), r.description(), r.defaultName());
        System.out.println(v.summary());
        v.clauses().forEach(c -> c.details().forEach(d -> System.out.println("    " + d)));
        assertThat(v.passed()).as(v.summary()).isTrue();
        assertThat(v.result(Clause.PRESERVATION).orElseThrow().status()).isEqualTo(ClauseResult.Status.PASSED);
        return v;
    }

    @Test
    void rankOneKeyValueEdit() {
        Map<String, String> m = smaller(ReferenceContracts.rankOne(folder, ck));
        m.put("edit.params", "{\"layer\": 11, \"stat_sequences\": 8, \"ridge\": 0.01}");   // 128 keys < ff 3072: a larger ridge
        ContractVerdict v = judge("rank-one-key-value", m);
        assertThat(v.result(Clause.EFFECT).orElseThrow().status()).isEqualTo(ClauseResult.Status.PASSED);
    }

    @Test
    void headPruning() {
        judge("head-pruning", smaller(ReferenceContracts.headPruning(ck)));
    }

    @Test
    void mergedLora() {
        judge("merged-lora", smaller(ReferenceContracts.mergedLora(ck)));
    }
}
