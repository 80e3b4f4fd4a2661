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
 * file was replaced, touched or removed, or an entry that is not a regular file was planted), and
 * {@link #restore()} puts a fresh copy back. Restoring and deleting never follow links: a planted
 * {@code input/evil -> /elsewhere} is unlinked, its target never opened or chmod-ed.
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
            for (Path f : files.filter(Files::isRegularFile).toList()) { // the original may be a HF snapshot of links to blobs
                Path target = copy.resolve(f.getFileName().toString());
                Files.copy(f, target);
                NoFollowFiles.makeReadOnly(target);
            }
            NoFollowFiles.makeReadOnly(copy);
            fingerprint = FolderFingerprint.of(copy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the model folder " + original + " to " + copy, e);
        }
    }

    /**
     * Throws {@link ExternalEditException} naming the first changed tensor or file, or the first entry the edit
     * planted that is not a regular file (a symbolic link, FIFO or subfolder: tampering, checked before any
     * file is opened, so nothing is followed and nothing blocks).
     */
    public void verify() {
        planted().ifPresent(what -> {
            throw new ExternalEditException("edit modified its input: " + what + "; the input copy must hold only the model's regular files");
        });
        fingerprint.changed().ifPresent(what -> {
            throw new ExternalEditException("edit modified its input: " + what);
        });
    }

    private java.util.Optional<String> planted() {
        if (!NoFollowFiles.isRealDirectory(copy)) return java.util.Optional.of("the input folder " + copy + " was replaced: it is now " + NoFollowFiles.kind(copy));
        try {
            return NoFollowFiles.firstNonRegularEntry(copy);
        } catch (IOException e) {
            return java.util.Optional.of("cannot list " + copy + " (" + e.getMessage() + ")");
        }
    }

    /** Replaces the copy with a fresh one (after a trial that modified it); never follows what the edit planted. */
    public void restore() {
        try {
            ScratchFolders.unlessExiting(() -> { // a restore after Ctrl-C would recreate what the shutdown hook deleted
                NoFollowFiles.deleteTree(copy);
                Files.createDirectories(copy);
                populate();
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recreate the input copy " + copy, e);
        }
    }

    @Override
    public void close() {
        NoFollowFiles.tryDeleteTree(copy);
    }
}
