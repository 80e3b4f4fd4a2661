package dev.editgate.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFileTest {
    @TempDir Path dir;

    @Test
    void regularFilesPassAndEverythingElseIsNamed() throws Exception {
        Path ok = Files.writeString(dir.resolve("config.json"), "{}");
        assertThat(InputFile.check(ok, "config.json", dir, 100)).isEqualTo(ok);
        assertThatThrownBy(() -> InputFile.check(ok, "config.json", dir, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(ok + ": is 2 bytes; config.json is at most 1 bytes (is this the right file?)");
        assertThatThrownBy(() -> InputFile.check(dir.resolve("nope"), "config.json", dir, 100)).isInstanceOf(UncheckedIOException.class)
                .hasMessage(dir.resolve("nope") + ": no such file (expected config.json)");
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull));
        assertThatThrownBy(() -> InputFile.check(devNull, "tokenizer.json", 100))
                .hasMessage("/dev/null: is a character device, not a regular file (expected tokenizer.json)");
    }

    @Test
    void linksMustStayInTheModelFolder() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        Path outside = Files.writeString(dir.resolve("secret"), "x");
        Path inside = Files.writeString(model.resolve("real.json"), "{}");
        Path good = Files.createSymbolicLink(model.resolve("good.json"), inside.getFileName());
        Path bad = Files.createSymbolicLink(model.resolve("bad.json"), outside);
        assertThat(InputFile.check(good, "config.json", model, 100)).isEqualTo(good);
        assertThatThrownBy(() -> InputFile.check(bad, "config.json", model, 100)).hasMessageContaining("outside the model folder");
        assertThat(InputFile.check(bad, "config.json", 100)).isEqualTo(bad); // a file the user named directly may live anywhere
    }

    @Test
    void aCacheSnapshotMayLinkIntoItsRepositoryFolder() {
        Path snap = dir.resolve("hub/models--a--b/snapshots/abc");
        assertThat(InputFile.modelRoot(snap)).isEqualTo(dir.resolve("hub/models--a--b"));
        assertThat(InputFile.modelRoot(dir.resolve("plain"))).isEqualTo(dir.resolve("plain"));
    }

    @Test
    void outputsRefuseTheModelFolderAndSpecialFiles() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        Path weights = Files.writeString(model.resolve("model.safetensors"), "w");
        List<Path> models = List.of(model);
        assertThat(OutputPaths.file("--out", dir.resolve("new.safetensors").toString(), models)).isEqualTo(dir.resolve("new.safetensors"));
        assertThatThrownBy(() -> OutputPaths.file("--out", weights.toString(), models)).hasMessageContaining("lies inside the input model folder");
        Path hardLink = Files.createLink(dir.resolve("alias.safetensors"), weights);
        assertThatThrownBy(() -> OutputPaths.file("--out", hardLink.toString(), models)).hasMessageContaining("is the same file as the model's");
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("elsewhere"));
        assertThatThrownBy(() -> OutputPaths.file("--out", link.toString(), models)).hasMessageContaining("is a symbolic link");
        assertThatThrownBy(() -> OutputPaths.folder("--report", " ", models)).hasMessageContaining("--report is empty");
        assertThatThrownBy(() -> OutputPaths.folder("--report", dir.resolve("model/../model/sub").toString(), models))
                .hasMessageContaining("lies inside the input model folder");
        assertThat(OutputPaths.folder("--report", dir.resolve("reports").toString(), models)).isEqualTo(dir.resolve("reports"));
        assumeTrue(Files.exists(Path.of("/dev/null")));
        assertThatThrownBy(() -> OutputPaths.file("--out", "/dev/null", models)).hasMessageContaining("is a character device");
    }
}
