package dev.editgate.gate.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.contract.Clause;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.fixtures.mutants.ContractMutant;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each buggy knowledge edit is rejected by the reference contract, and by the clause that names its bug; the edit that
 * also fires on digits is found on generated prompts and shrunk to a prompt of at most three tokens (usually one digit;
 * on tiny-llama the class key's leak onto "o" is the simpler violation the shrinker keeps).
 */
class ContractMutantsTest {

    @ParameterizedTest
    @CsvSource({
            "tiny, WRONG_LAYER, ALLOWED_TENSORS", "tiny, RANK_TWO, RANK", "tiny, EXTRA_TENSOR, ALLOWED_TENSORS",
            "tiny, NORM_100X, RELATIVE_NORM", "tiny, FIRES_ON_TOKEN_CLASS, PRESERVATION",
            "tiny-llama, WRONG_LAYER, ALLOWED_TENSORS", "tiny-llama, RANK_TWO, RANK", "tiny-llama, NORM_100X, RELATIVE_NORM",
            "tiny-llama, FIRES_ON_TOKEN_CLASS, PRESERVATION",
            "tiny-gpt2, EXTRA_TENSOR, ALLOWED_TENSORS", "tiny-gpt2, FIRES_ON_TOKEN_CLASS, PRESERVATION"})
    void mutantIsRejectedByItsClause(String fixture, ContractMutant mutant, Clause expected) {
        Path folder = Fixtures.named(fixture);
        Checkpoint ck = Checkpoint.load(folder);
        ContractGate gate = new ContractGate(ReferenceContracts.parse(ReferenceContracts.rankOne(folder, ck), 11), folder, ContractGate.Options.defaults());
        ContractEdits.Resolved r = ContractEdits.resolve("mutant:" + mutant.cliName(), folder, null, null);
        ContractVerdict v = gate.judge(r.edit(), r.description(), r.defaultName());
        System.out.println(v.summary());
        assertThat(v.passed()).as(v.summary()).isFalse();
        assertThat(v.failedClauses()).as(v.summary()).contains(expected);
        if (expected == Clause.PRESERVATION) {
            assertThat(v.failedClauses()).as("only preservation fails: the bug hides from every other clause").isEqualTo(List.of(Clause.PRESERVATION));
            PreservationFinding f = v.finding().orElseThrow();
            assertThat(f.shrunk().length()).as(v.summary()).isLessThanOrEqualTo(3);
            assertThat(f.positions().stream().anyMatch(d -> !d.within(gate.contract().preservation()))).isTrue();
            System.out.printf(Locale.ROOT, "TABLE %s | %s | %s | %s | found after %d prompts%n", fixture, mutant.cliName(), expected,
                    f.shrunk().describe(), f.promptsTried());
        } else {
            System.out.printf(Locale.ROOT, "TABLE %s | %s | %s | %s%n", fixture, mutant.cliName(), v.failedClauses(),
                    v.result(expected).orElseThrow().summary());
        }
    }
}
