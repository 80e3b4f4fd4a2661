package dev.editgate.gate.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.contract.Clause;
import dev.editgate.core.contract.ClauseResult;
import dev.editgate.fixtures.Fixtures;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each reference edit passes the contract it is declared with, on every family's tiny fixture. */
class ReferenceEditsPassContractTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-sequential", "tiny-bf16", "tiny-llama", "tiny-mistral", "tiny-qwen2", "tiny-llama3", "tiny-gpt2"})
    void rankOneKeyValueEdit(String fixture) {
        judge(fixture, "rank-one-key-value", ck -> ReferenceContracts.rankOne(Fixtures.named(fixture), ck), true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-llama", "tiny-mistral", "tiny-qwen2", "tiny-llama3", "tiny-gpt2"})
    void headPruning(String fixture) {
        judge(fixture, "head-pruning", ReferenceContracts::headPruning, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-llama", "tiny-mistral", "tiny-qwen2", "tiny-llama3", "tiny-gpt2"})
    void mergedLora(String fixture) {
        judge(fixture, "merged-lora", ReferenceContracts::mergedLora, false);
    }

    static ContractVerdict judge(String fixture, String edit, Function<Checkpoint, Map<String, String>> contract, boolean hasEffect) {
        Path folder = Fixtures.named(fixture);
        Checkpoint ck = Checkpoint.load(folder);
        ContractGate gate = new ContractGate(ReferenceContracts.parse(contract.apply(ck), 7), folder, ContractGate.Options.defaults());
        ContractEdits.Resolved r = ContractEdits.resolve(edit, folder, null, null);
        ContractVerdict v = gate.judge(r.edit(), r.description(), r.defaultName());
        System.out.println(fixture + " " + v.summary());
        v.clauses().forEach(c -> { if (c.clause() != Clause.PRESERVATION) c.details().forEach(d -> System.out.println("    " + d)); });
        assertThat(v.passed()).as(v.summary()).isTrue();
        assertThat(v.result(Clause.RANK).orElseThrow().status()).isEqualTo(ClauseResult.Status.PASSED);
        assertThat(v.result(Clause.PRESERVATION).orElseThrow().status()).isEqualTo(ClauseResult.Status.PASSED);
        if (hasEffect) assertThat(v.result(Clause.EFFECT).orElseThrow().status()).isEqualTo(ClauseResult.Status.PASSED);
        return v;
    }
}
