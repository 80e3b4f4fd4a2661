package dev.editgate.core.external;

import dev.editgate.core.safetensors.SafetensorsFile;
import dev.editgate.core.safetensors.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Hands an external edit its input and proves afterwards that the edit did not change it.
 *
 * <p>Why a copy rather than the original folder: the original is often the user's Hugging Face cache,
 * whose snapshot files are symlinks into shared blobs; one careless {@code open(..., "r+")} would
 * damage every later experiment, and a read-only flag does not stop the owner (or root, as in CI
 * containers) from writing. So the guard copies the folder's regular files (real copies, never hard
 * links, which would share the inode) into a private temp folder, marks files and folder read-only
 * as far as the OS allows, and records a CRC32C of every tensor's bytes plus each file's identity
 * (size, mtime, file key). {@link #verify()} recomputes them after a trial; a difference fails the trial
 * with {@code edit modified its input: <file> tensor <name> changed} (or a file-level message when a
 * file was replaced, touched or removed), and {@link #restore()} puts a fresh copy back.
 */
public final class InputGuard implements AutoCloseable {
    private final Path original;
    private final Path copy;
    private final Map<String, Map<String, Long>> hashes = new LinkedHashMap<>();
    private final Map<String, String> identities = new LinkedHashMap<>();

    public InputGuard(Path originalFolder, Path parent) {
        this.original = originalFolder;
        try {
            this.copy = Files.createTempDirectory(parent, "input-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the input copy under " + parent, e);
        }
        populate();
    }

    /** The read-only folder to hand to the edit. */
    public Path folder() { return copy; }

    private void populate() {
        try (Stream<Path> files = Files.list(original)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path target = copy.resolve(f.getFileName().toString());
                Files.copy(f, target);
                target.toFile().setWritable(false, false);
            }
            copy.toFile().setWritable(false, false);
            hashes.clear();
            identities.clear();
            for (Path f : safetensorsFiles()) {
                hashes.put(f.getFileName().toString(), hashTensors(f));
            }
            try (Stream<Path> all = Files.list(copy)) {
                for (Path f : all.toList()) identities.put(f.getFileName().toString(), identity(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the model folder " + original + " to " + copy, e);
        }
    }

    private List<Path> safetensorsFiles() throws IOException {
        try (Stream<Path> s = Files.list(copy)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
    }

    /** Throws {@link ExternalEditException} naming the first changed tensor or file. */
    public void verify() {
        try {
            for (var e : hashes.entrySet()) {
                Path f = copy.resolve(e.getKey());
                if (!Files.isRegularFile(f)) throw modified(e.getKey() + " was removed");
                Map<String, Long> now;
                try {
                    now = hashTensors(f);
                } catch (RuntimeException unreadable) {
                    throw modified(e.getKey() + " was replaced by an unreadable file");
                }
                for (var t : e.getValue().entrySet()) {
                    if (!Objects.equals(now.get(t.getKey()), t.getValue())) {
                        throw new ExternalEditException("edit modified its input: " + f + " tensor " + t.getKey() + " changed");
                    }
                }
            }
            try (Stream<Path> all = Files.list(copy)) {
                for (Path f : all.toList()) {
                    String name = f.getFileName().toString();
                    if (!identities.containsKey(name)) throw modified(name + " was added");
                    if (!identities.get(name).equals(identity(f))) throw modified(name + " was replaced or touched");
                }
            }
            for (String name : identities.keySet()) {
                if (!Files.exists(copy.resolve(name))) throw modified(name + " was removed");
            }
        } catch (IOException e) {
            throw new ExternalEditException("edit modified its input: cannot read " + copy + " (" + e.getMessage() + ")", e);
        }
    }

    private ExternalEditException modified(String what) {
        return new ExternalEditException("edit modified its input: " + copy + "/" + what);
    }

    /** Replaces the copy with a fresh one (after a trial that modified it). */
    public void restore() {
        deleteCopy();
        try {
            Files.createDirectories(copy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        populate();
    }

    private static Map<String, Long> hashTensors(Path file) {
        Map<String, Long> out = new LinkedHashMap<>();
        SafetensorsFile sf = SafetensorsFile.open(file);
        for (Tensor t : sf.tensors().values()) {
            CRC32C crc = new CRC32C();
            ByteBuffer b = t.data();
            crc.update(b);
            out.put(t.name(), crc.getValue() ^ (t.byteSize() << 32));
        }
        return out;
    }

    private static String identity(Path f) throws IOException {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        return a.size() + "/" + a.lastModifiedTime().toMillis() + "/" + a.fileKey();
    }

    private void deleteCopy() {
        copy.toFile().setWritable(true, false);
        try (Stream<Path> s = Files.list(copy)) {
            for (Path f : s.toList()) {
                f.toFile().setWritable(true, false);
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(copy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the input copy " + copy, e);
        }
    }

    @Override
    public void close() {
        if (Files.exists(copy)) deleteCopy();
    }
}
