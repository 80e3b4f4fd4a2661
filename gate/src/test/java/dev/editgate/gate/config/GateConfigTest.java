package dev.editgate.gate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateConfigTest {
    @Test
    void defaultsAreTheEmbeddedTinyFixtureAndTheBuiltInEdit() {
        GateConfig c = GateConfig.resolve(Map.of(), new Properties());
        assertThat(c.model()).isEqualTo("fixture:tiny");
        assertThat(c.edit()).isEqualTo(new EditChoice(EditChoice.Kind.BUILTIN, ""));
        assertThat(c.layer()).isEqualTo(-1);
        assertThat(c.tries()).isEqualTo(100);
        assertThat(c.dtype()).isEqualTo("fp32");
        assertThat(c.reportDir()).isEqualTo(Path.of("target/editgate"));
    }

    @Test
    void cliBeatsSystemPropertyBeatsConfigFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gate.properties");
        Files.writeString(file, "tries=7\nlayer=3\ndtype=fp16\nseed=11\n");
        Properties sys = new Properties();
        sys.setProperty("editgate.config", file.toString());
        sys.setProperty("editgate.layer", "1");
        sys.setProperty("editgate.seed", "22");
        GateConfig c = GateConfig.resolve(Map.of(GateKey.SEED, "33"), sys);
        assertThat(c.tries()).isEqualTo(7);      // only in the file
        assertThat(c.dtype()).isEqualTo("fp16"); // only in the file
        assertThat(c.layer()).isEqualTo(1);      // system property over file
        assertThat(c.seed()).isEqualTo(33);      // CLI over both
    }

    @Test
    void reproduceCommandCarriesExplicitSettingsAndTheSeed() {
        GateConfig c = GateConfig.resolve(Map.of(GateKey.EDIT, "command:python3 my edit.py", GateKey.TRIES, "5"), new Properties());
        assertThat(c.reproduceCommand())
                .startsWith("./editgate gate")
                .contains("--edit 'command:python3 my edit.py'")
                .contains("--tries 5")
                .endsWith("--seed " + c.seed());
    }

    @Test
    void badValuesNameTheFlagAndWhatWasExpected(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> GateConfig.resolve(Map.of(GateKey.TRIES, "many"), new Properties()))
                .hasMessageContaining("--tries 'many'").hasMessageContaining("expected an integer");
        assertThatThrownBy(() -> GateConfig.resolve(Map.of(GateKey.DTYPE, "bf8"), new Properties()))
                .hasMessageContaining("--dtype 'bf8'").hasMessageContaining("fp32, fp16 or fp64");
        assertThatThrownBy(() -> GateConfig.resolve(Map.of(GateKey.EDIT, "python3 x.py"), new Properties()))
                .hasMessageContaining("--edit 'python3 x.py'").hasMessageContaining("command:");
        assertThatThrownBy(() -> GateConfig.resolve(Map.of(GateKey.TIME_BUDGET, "soon"), new Properties()))
                .hasMessageContaining("--time-budget 'soon'");
        assertThatThrownBy(() -> GateConfig.resolve(Map.of(GateKey.PROMPTS, dir.resolve("none.txt").toString()), new Properties()))
                .hasMessageContaining("--prompts").hasMessageContaining("no such file");
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "triez=5\n");
        assertThatThrownBy(() -> GateConfig.resolve(Map.of(GateKey.CONFIG, bad.toString()), new Properties()))
                .hasMessageContaining(bad.toString()).hasMessageContaining("unknown gate setting 'triez'");
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        assertThat(GateConfig.parseDuration(GateKey.TIME_BUDGET, "90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GateConfig.parseDuration(GateKey.TIME_BUDGET, "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(GateConfig.parseDuration(GateKey.TIME_BUDGET, "1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GateConfig.parseDuration(GateKey.TIME_BUDGET, "PT2H")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void editChoicesParse() {
        assertThat(EditChoice.parse("class:org.example.MyEdit")).isEqualTo(new EditChoice(EditChoice.Kind.CLASS, "org.example.MyEdit"));
        assertThat(EditChoice.parse("mutant:seed-layout")).isEqualTo(new EditChoice(EditChoice.Kind.MUTANT, "seed-layout"));
        assertThat(EditChoice.parse("command: python3 edit.py").value()).isEqualTo("python3 edit.py");
        assertThatThrownBy(() -> EditChoice.parse("class:")).hasMessageContaining("nothing after 'class:'");
    }
}
