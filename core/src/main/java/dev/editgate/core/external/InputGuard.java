package dev.editgate.core.external;

import dev.editgate.core.checkpoint.FolderFingerprint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Hands an external edit its input and proves afterwards that the edit did not change it.
 *
 * <p>Why a copy rather than the original folder: the original is often the user's Hugging Face cache,
 * whose snapshot files are symlinks into shared blobs; one careless {@code open(..., "r+")} would
 * damage every later experiment, and a read-only flag does not stop the owner (or root, as in CI
 * containers) from writing. So the guard copies the folder's regular files (real copies, never hard
 * links, which would share the inode) into a private temp folder, marks files and folder read-only
 * as far as the OS allows, and records a {@link FolderFingerprint}: a CRC32C of every tensor's bytes plus
 * each file's identity (size, mtime, file key). {@link #verify()} recomputes them after a trial; a difference fails the trial
 * with {@code edit modified its input: <file> tensor <name> changed} (or a file-level message when a
 * file was replaced, touched or removed), and {@link #restore()} puts a fresh copy back.
 */
public final class InputGuard implements AutoCloseable {
    private final Path original;
    private final Path copy;
    private FolderFingerprint fingerprint;

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
            fingerprint = FolderFingerprint.of(copy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the model folder " + original + " to " + copy, e);
        }
    }

    /** Throws {@link ExternalEditException} naming the first changed tensor or file. */
    public void verify() {
        fingerprint.changed().ifPresent(what -> {
            throw new ExternalEditException("edit modified its input: " + what);
        });
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
