package dev.editgate.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractParserTest {
    @TempDir Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("edit.contract");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsEveryKeyOfAFile() throws IOException {
        Files.writeString(dir.resolve("unrelated.txt"), "a\nb\n");
        Contract c = ContractParser.read(file("""
                edit.name = rome
                edit.params = {"layer": 3}
                tensors.allowed = model.layers.*.mlp.down_proj.weight, lm_head.weight
                max-rank = 1
                max-rank.lm_head.weight = 4
                max-relative-norm = 0.05
                preservation.metric = top1
                preservation.bound = 0.5
                preservation.tries = 50
                preservation.prompts = unrelated.txt
                preservation.exclude = Eiffel || Paris
                effect = The Eiffel Tower is in => Rome || #12 x => #7
                effect.mode = logprob
                effect.delta = 2
                """), new Properties(), Map.of());
        assertThat(c.editName()).isEqualTo("rome");
        assertThat(c.editParams().get("layer").asInt()).isEqualTo(3);
        assertThat(c.allows("model.layers.7.mlp.down_proj.weight")).isTrue();
        assertThat(c.allows("model.layers.7.mlp.up_proj.weight")).isFalse();
        assertThat(c.allows("model.layers.7.8.mlp.down_proj.weight")).as("* stays within one part").isFalse();
        assertThat(c.rankBound("lm_head.weight").getAsInt()).isEqualTo(4);
        assertThat(c.rankBound("model.layers.0.mlp.down_proj.weight").getAsInt()).isEqualTo(1);
        assertThat(c.maxRelativeNorm().getAsDouble()).isEqualTo(0.05);
        assertThat(c.preservation()).isEqualTo(new PreservationBound(PreservationBound.Metric.TOP1, 0.5));
        assertThat(c.preservationTries()).isEqualTo(50);
        assertThat(c.preservationPrompts()).contains(dir.resolve("unrelated.txt"));
        assertThat(c.preservationExclude()).containsExactly("Eiffel", "Paris");
        assertThat(c.effect()).containsExactly(new TargetPrompt("The Eiffel Tower is in", "Rome"), new TargetPrompt("#12 x", "#7"));
        assertThat(c.effectBound()).isEqualTo(new EffectBound(EffectBound.Mode.LOGPROB, 2));
        assertThat(c.generalisation()).isEmpty();
        assertThat(c.takesParams()).isFalse();
    }

    @Test
    void flagsBeatSystemPropertiesBeatTheFile() throws IOException {
        Path f = file("tensors.allowed = a.weight\nmax-rank = 1\npreservation.bound = 0.1\n");
        Properties sys = new Properties();
        sys.setProperty("editgate.contract.max-rank", "2");
        sys.setProperty("editgate.contract.preservation.bound", "0.2");
        sys.setProperty("editgate.tries", "5");   // not a contract key: ignored here
        Contract c = ContractParser.read(f, sys, Map.of("max-rank", "3"));
        assertThat(c.maxRank().getAsInt()).isEqualTo(3);
        assertThat(c.preservation().bound()).isEqualTo(0.2);
    }

    @Test
    void badInputNamesTheKeyAndWhereItCameFrom() throws IOException {
        assertThatThrownBy(() -> ContractParser.read(file("tensors.allowed = a\nmax-rnak = 1\n"), new Properties(), Map.of()))
                .hasMessageContaining("edit.contract").hasMessageContaining("unknown contract key 'max-rnak'").hasMessageContaining("max-rank");
        assertThatThrownBy(() -> ContractParser.read(file("tensors.allowed = a\nmax-rank = one\n"), new Properties(), Map.of()))
                .hasMessageContaining("max-rank = 'one' is not a positive integer");
        assertThatThrownBy(() -> ContractParser.read(file("tensors.allowed = a\n"), new Properties(), Map.of("preservation.bound", "-1")))
                .hasMessageContaining("--set preservation.bound").hasMessageContaining("not a finite number >= 0");
        assertThatThrownBy(() -> ContractParser.read(file("max-rank = 1\n"), new Properties(), Map.of()))
                .hasMessageContaining("'tensors.allowed' is required");
        assertThatThrownBy(() -> ContractParser.read(file("tensors.allowed = a\neffect = no arrow here\n"), new Properties(), Map.of()))
                .hasMessageContaining("must read 'prompt => target'");
        assertThatThrownBy(() -> ContractParser.read(file("tensors.allowed = a\nedit.params = [1]\n"), new Properties(), Map.of()))
                .hasMessageContaining("edit.params = '[1]' is not a JSON object");
        assertThatThrownBy(() -> ContractParser.read(file("tensors.allowed = a\npreservation.text = missing.txt\n"), new Properties(), Map.of()))
                .hasMessageContaining("preservation.text = missing.txt: no such file");
        assertThatThrownBy(() -> ContractParser.read(dir.resolve("nope.contract"), new Properties(), Map.of()))
                .hasMessageContaining("nope.contract");
    }

    @Test
    void keysAreKnownAsSystemProperties() {
        assertThat(ContractKey.isSystemProperty("editgate.contract.max-rank")).isTrue();
        assertThat(ContractKey.isSystemProperty("editgate.contract.max-rank.model.*.weight")).isTrue();
        assertThat(ContractKey.isSystemProperty("editgate.contract.max-rnak")).isFalse();
        assertThat(Globs.matches("gpt_neox.**.weight", "gpt_neox.layers.3.mlp.dense_4h_to_h.weight")).isTrue();
        assertThat(Globs.matches("h.?.attn.c_proj.weight", "h.1.attn.c_proj.weight")).isTrue();
        assertThat(Globs.matches("h.?.attn.c_proj.weight", "h.11.attn.c_proj.weight")).isFalse();
    }
}
