package dev.editgate.gate.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.contract.Clause;
import dev.editgate.core.tokenize.TextTokenizer;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.properties.FailureDatabase;
import dev.editgate.properties.Property;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three prompt sources: the ordinary vocabulary, spans of the lab's text, and the lab's list tried first. */
class PromptSourcesTest {
    @TempDir Path dir;

    @Test
    void ordinaryVocabularyIsPrintableRoundTrippingAndHasNoSpecialToken() {
        Path folder = Fixtures.named("tiny");
        try (TextTokenizer tok = TextTokenizer.fromFolder(folder)) {
            OrdinaryVocabulary v = OrdinaryVocabulary.of(tok, 320, new int[0]);
            assertThat(v.indexOf(0)).as("<|endoftext|>").isEqualTo(-1);
            assertThat(v.indexOf(tok.encode("a")[0])).isGreaterThanOrEqualTo(0);
            assertThat(v.indexOf(1 + 10)).as("the newline byte is a control character").isEqualTo(-1);
            for (int i = 0; i < v.size(); i++) assertThat(tok.encode(tok.decode(new int[] {v.id(i)}))).containsExactly(v.id(i));
            assertThat(v.size()).isBetween(90, 273);
        }
    }

    @Test
    void textSpansAreContiguousPiecesOfTheText() {
        Path folder = Fixtures.named("tiny");
        try (TextTokenizer tok = TextTokenizer.fromFolder(folder)) {
            int[] text = tok.encode("the quick brown fox jumps over the lazy dog, again and again");
            PromptGen gen = new PromptGen(OrdinaryVocabulary.of(tok, 320, new int[0]), text, 6, tok);
            List<Prompt> seen = Collections.synchronizedList(new ArrayList<>());
            Property.forAll("spans", gen).tries(60).seed(3).database(FailureDatabase.none()).check(seen::add).assertPassed();
            List<Prompt> spans = seen.stream().filter(p -> p.source().equals("text span")).toList();
            assertThat(spans).hasSizeGreaterThan(10);
            assertThat(seen.stream().filter(p -> p.source().equals("random tokens"))).hasSizeGreaterThan(10);
            String all = java.util.Arrays.toString(text);
            for (Prompt p : spans) {
                assertThat(p.length()).isBetween(1, 6);
                assertThat(all).contains(java.util.Arrays.toString(p.ids()).replace("[", "").replace("]", ""));
            }
            assertThat(seen).allSatisfy(p -> assertThat(p.length()).isBetween(1, 6));
        }
    }

    @Test
    void labPromptListIsTriedFirstAndItsViolationShrinks() throws Exception {
        Path folder = Fixtures.named("tiny");
        Checkpoint ck = Checkpoint.load(folder);
        Path list = dir.resolve("unrelated.txt");
        Files.writeString(list, "# the lab's locality prompts\nWater boils at a high temperature\nThe year 2024 was warm\nCats sleep a lot\n");
        Map<String, String> m = new LinkedHashMap<>(ReferenceContracts.rankOne(folder, ck));
        m.put("preservation.prompts", list.toString());
        m.put("preservation.exclude", "favourite colour");   // "is" is not in the list's first two prompts
        ContractGate gate = new ContractGate(ReferenceContracts.parse(m, 5), folder, ContractGate.Options.defaults());
        ContractEdits.Resolved r = ContractEdits.resolve("mutant:fires_on_token_class", folder, null, null);
        ContractVerdict v = gate.judge(r.edit(), r.description(), r.defaultName());
        assertThat(v.failedClauses()).as(v.summary()).containsExactly(Clause.PRESERVATION);
        PreservationFinding f = v.finding().orElseThrow();
        assertThat(f.foundBy()).isEqualTo("the lab's prompt list");
        assertThat(f.found().text()).isEqualTo("The year 2024 was warm");
        assertThat(f.promptsTried()).isEqualTo(2);
        assertThat(f.shrunk().length()).as(v.summary()).isLessThanOrEqualTo(2);
        assertThat(f.shrunk().text()).as("shrunk toward the lowest digit that still fires").containsPattern("[0-9]");
        assertThat(v.result(Clause.PRESERVATION).orElseThrow().details()).anyMatch(d -> d.contains("BREAKS"));
    }
}
