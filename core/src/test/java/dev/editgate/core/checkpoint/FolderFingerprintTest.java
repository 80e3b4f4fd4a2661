package dev.editgate.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.SafetensorsWriter;
import dev.editgate.core.safetensors.Tensor;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderFingerprintTest {
    @TempDir Path dir;
    Path model;

    @BeforeEach
    void folder() throws Exception {
        model = dir.resolve("model.safetensors");
        SafetensorsWriter.write(model, List.of(
                Tensor.of("a", DType.F32, new long[] {4}, new double[] {1, 2, 3, 4}),
                Tensor.of("b", DType.F32, new long[] {2}, new double[] {5, 6})), Map.of());
        Files.writeString(dir.resolve("config.json"), "{}");
    }

    @Test
    void anUntouchedFolderHasNoChanges() {
        FolderFingerprint f = FolderFingerprint.of(dir);
        assertThat(f.changedMetadata()).isEmpty();
        assertThat(f.changed()).isEmpty();
    }

    @Test
    void aTensorWrittenInPlaceIsNamedEvenWhenTheMetadataIsPutBack() throws Exception {
        FolderFingerprint f = FolderFingerprint.of(dir);
        FileTime mtime = Files.getLastModifiedTime(model);
        try (RandomAccessFile raf = new RandomAccessFile(model.toFile(), "rw")) {
            raf.seek(raf.length() - 1); // last byte of the last tensor, "b"
            raf.write(0x7f);
        }
        Files.setLastModifiedTime(model, mtime);
        assertThat(f.changedMetadata()).isEmpty(); // a cheap check cannot see it...
        assertThat(f.changed()).hasValueSatisfying(m -> assertThat(m).contains("model.safetensors tensor b changed")); // ...the full one can
    }

    @Test
    void addedRemovedAndTouchedFilesAreNamed() throws Exception {
        FolderFingerprint f = FolderFingerprint.of(dir);
        Files.writeString(dir.resolve("extra.bin"), "x");
        assertThat(f.changedMetadata()).hasValueSatisfying(m -> assertThat(m).endsWith("extra.bin was added"));
        Files.delete(dir.resolve("extra.bin"));
        Files.setLastModifiedTime(dir.resolve("config.json"), FileTime.fromMillis(0));
        assertThat(f.changedMetadata()).hasValueSatisfying(m -> assertThat(m).endsWith("config.json was replaced or touched"));
        Files.delete(dir.resolve("config.json"));
        assertThat(f.changed()).hasValueSatisfying(m -> assertThat(m).endsWith("config.json was removed"));
    }
}
