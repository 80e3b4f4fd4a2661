package dev.editgate.core.checkpoint;

import dev.editgate.core.safetensors.SafetensorsFile;
import dev.editgate.core.safetensors.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * What a model folder held at one moment: each regular file's identity (size, modification time, file key)
 * and a CRC32C of its content, per tensor for safetensors files. Used to prove an edit left its input alone:
 * {@link #changedMetadata()} is cheap enough for every trial, {@link #changed()} rereads every byte.
 */
public final class FolderFingerprint {
    private record FileState(String identity, Map<String, Long> content) {}

    private final Path folder;
    private final Map<String, FileState> files;

    private FolderFingerprint(Path folder, Map<String, FileState> files) {
        this.folder = folder;
        this.files = files;
    }

    public static FolderFingerprint of(Path folder) {
        Map<String, FileState> files = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(folder)) {
            for (Path f : list.filter(Files::isRegularFile).sorted().toList()) {
                files.put(f.getFileName().toString(), new FileState(identity(f), content(f)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model folder " + folder, e);
        }
        return new FolderFingerprint(folder, files);
    }

    public Path folder() { return folder; }

    /** The first file added, removed, replaced or touched since the fingerprint, without reading contents. */
    public Optional<String> changedMetadata() {
        try (Stream<Path> list = Files.list(folder)) {
            for (Path f : list.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                if (!files.containsKey(name)) return Optional.of(folder.resolve(name) + " was added");
                if (!files.get(name).identity().equals(identity(f))) return Optional.of(folder.resolve(name) + " was replaced or touched");
            }
        } catch (IOException e) {
            return Optional.of("cannot read " + folder + " (" + e.getMessage() + ")");
        }
        for (String name : files.keySet()) {
            if (!Files.exists(folder.resolve(name))) return Optional.of(folder.resolve(name) + " was removed");
        }
        return Optional.empty();
    }

    /** The first difference in content (naming the tensor where it can) or, failing that, in metadata. */
    public Optional<String> changed() {
        for (var e : files.entrySet()) {
            Path f = folder.resolve(e.getKey());
            if (!Files.exists(f)) return Optional.of(f + " was removed");
            Map<String, Long> now;
            try {
                now = content(f);
            } catch (RuntimeException unreadable) {
                return Optional.of(f + " was replaced by an unreadable file");
            }
            for (var t : e.getValue().content().entrySet()) {
                if (!Objects.equals(now.get(t.getKey()), t.getValue())) {
                    return Optional.of(t.getKey().isEmpty() ? f + " changed" : f + " tensor " + t.getKey() + " changed");
                }
            }
        }
        return changedMetadata();
    }

    /** CRC32C per tensor of a safetensors file (keyed by tensor name), or of the whole file (key ""). */
    private static Map<String, Long> content(Path f) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (f.getFileName().toString().endsWith(".safetensors")) {
            for (Tensor t : SafetensorsFile.open(f).tensors().values()) {
                CRC32C crc = new CRC32C();
                ByteBuffer b = t.data();
                crc.update(b);
                out.put(t.name(), crc.getValue() ^ (t.byteSize() << 32));
            }
            return out;
        }
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(f + " disappeared", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
        out.put("", crc.getValue());
        return out;
    }

    private static String identity(Path f) throws IOException {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        return a.size() + "/" + a.lastModifiedTime().toMillis() + "/" + a.fileKey();
    }
}
