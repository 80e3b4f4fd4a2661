package dev.editgate.core.external;

import dev.editgate.core.checkpoint.FolderFingerprint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
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
 * each file's identity (size, mtime, file key). A difference fails the trial with
 * {@code edit modified its input: <file> tensor <name> changed} (or a file-level message when a
 * file was replaced, touched or removed, or an entry that is not a regular file was planted), and
 * {@link #restore()} puts a fresh copy back. Restoring and deleting never follow links: a planted
 * {@code input/evil -> /elsewhere} is unlinked, its target never opened or chmod-ed.
 *
 * <p>What {@link #verify()} (after every trial) rereads. Re-hashing a 300 MB model costs 100 ms or more per trial, so
 * after a full check has confirmed the content the guard keeps each file's {@link FileStamps} (size, mtime, ctime in
 * nanoseconds, device, inode) and a trial whose stamps are all unchanged is accepted without reading a byte. The
 * proof: the confirming full check read the file system's clock (M) first, then the stamps, then every byte; every
 * later write, truncation, replacement or time reset sets the file's ctime to a time at or after M, and the
 * confirmed ctimes are strictly before M, so any such change shows in the stamps, and a trial whose stamps
 * changed gets the full re-hash and the same message as before (stamps that changed with identical content, e.g.
 * a {@code chmod}, pass as they always did and are confirmed anew). Stamps are trusted only where the file system
 * sets ctime on every data write, shared memory maps included ({@link FileStamps#CTIME_ON_EVERY_WRITE}: ext4,
 * xfs, btrfs, ...), or where the sandbox mounts the copy read-only for the edit; elsewhere (tmpfs, network and FUSE
 * file systems, no unix attributes) every trial re-hashes, as before. What is not covered: an edit that can set the
 * system clock back ({@code CAP_SYS_TIME}) or write the block device under the file system. Even that is caught
 * by {@link #verifyFully()}, which always re-hashes; the gate calls it at the end of every stage, so a modified
 * input never goes unreported, at worst it is reported at the stage's end instead of on the trial that did it.
 */
public final class InputGuard implements AutoCloseable {
    private final Filler filler;
    private final String fillError;
    private final Path copy;
    private final Path parent;
    private final boolean stampsProve;
    private FolderFingerprint fingerprint;
    /** The stamps a full check confirmed (all changed strictly before that check began); null until then. */
    private Map<String, FileStamps.Stamp> confirmed;
    private long fullChecks;

    /** A guard that trusts stamps only on a file system that sets ctime on every data write. */
    public InputGuard(Path originalFolder, Path parent) {
        this(originalFolder, parent, false);
    }

    /**
     * @param readOnlyForEdit true when the edit sees the copy on a read-only mount (an isolating {@link Sandbox}): stamps
     *                        are then trusted on any file system that keeps unix attributes
     */
    public InputGuard(Path originalFolder, Path parent, boolean readOnlyForEdit) {
        this(parent, "input-", copy -> copyRegularFiles(originalFolder, copy), "cannot copy the model folder " + originalFolder, readOnlyForEdit);
    }

    private InputGuard(Path parent, String prefix, Filler filler, String fillError, boolean readOnlyForEdit) {
        this.filler = filler;
        this.fillError = fillError;
        this.parent = parent;
        try {
            this.copy = Files.createTempDirectory(parent, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the input copy under " + parent, e);
        }
        this.stampsProve = readOnlyForEdit || FileStamps.trustworthy(copy);
        populate();
    }

    /**
     * A guarded folder under {@code parent} whose files {@code filler} writes (now and on {@link #restore()}), e.g.
     * a shard of the original's tensors that later inputs link to; checked like the copy of a model folder.
     */
    public static InputGuard filledBy(Path parent, String prefix, Filler filler, boolean readOnlyForEdit) {
        return new InputGuard(parent, prefix, filler, "cannot write the guarded input files", readOnlyForEdit);
    }

    /** Writes the regular files a guarded folder holds. */
    @FunctionalInterface
    public interface Filler {
        void fill(Path folder) throws IOException;
    }

    /** The read-only folder to hand to the edit. */
    public Path folder() { return copy; }

    private static void copyRegularFiles(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) { // the original may be a HF snapshot of links to blobs
                Files.copy(f, to.resolve(f.getFileName().toString()));
            }
        }
    }

    /** Fills the folder, makes it read-only, and fingerprints it as a full check does, so its stamps are confirmed at once. */
    private void populate() {
        try {
            filler.fill(copy);
            try (Stream<Path> files = Files.list(copy)) {
                for (Path f : files.toList()) NoFollowFiles.makeReadOnly(f);
            }
            NoFollowFiles.makeReadOnly(copy);
            fingerprint = null;
            fullCheck(); // fingerprints the new files (nothing to compare with yet)
        } catch (IOException e) {
            throw new UncheckedIOException(fillError + " to " + copy, e);
        }
    }

    /**
     * The longest a full check waits for the file system's clock to tick past the files' ctimes (one tick of a coarse
     * kernel clock, a few ms), so that a check right after a change (the copy just made) still confirms the stamps.
     */
    static final long CLOCK_WAIT_MS = 50;

    private Optional<FileTime> clockAfterStamps() {
        Optional<Map<String, FileStamps.Stamp>> stamps = FileStamps.read(copy);
        if (stamps.isEmpty()) return Optional.empty();
        long deadline = System.nanoTime() + CLOCK_WAIT_MS * 1_000_000;
        while (true) {
            Optional<FileTime> now = FileStamps.now(parent);
            if (now.isEmpty() || FileStamps.allChangedBefore(stamps.get(), now.get()) || System.nanoTime() > deadline) return now;
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return now;
            }
        }
    }

    /**
     * Throws {@link ExternalEditException} naming the first changed tensor or file, or the first entry the edit
     * planted that is not a regular file (a symbolic link, FIFO or subfolder: tampering, checked before any
     * file is opened, so nothing is followed and nothing blocks). Rereads the content only when the files' stamps
     * changed since the last confirming full check (or where stamps prove nothing; see the class comment).
     */
    public void verify() {
        requireNothingPlanted();
        if (confirmed != null && FileStamps.read(copy).filter(confirmed::equals).isPresent()) return;
        fullCheck();
    }

    /** As {@link #verify()}, but always rereads every byte (the end of a stage or run). */
    public void verifyFully() {
        requireNothingPlanted();
        fullCheck();
    }

    /** How many times the content was re-hashed since the guard was made (tests, benchmarks). */
    long fullChecks() { return fullChecks; }

    private void requireNothingPlanted() {
        planted().ifPresent(what -> {
            throw new ExternalEditException("edit modified its input: " + what + "; the input copy must hold only the model's regular files");
        });
    }

    /**
     * Re-hashes every file (the first time: fingerprints it); when nothing changed, confirms the stamps read after
     * the file system's clock passed them and before the bytes were read.
     */
    private void fullCheck() {
        confirmed = null;
        Optional<FileTime> start = stampsProve ? clockAfterStamps() : Optional.empty();
        Optional<Map<String, FileStamps.Stamp>> before = start.isPresent() ? FileStamps.read(copy) : Optional.empty();
        if (fingerprint == null) {
            fingerprint = FolderFingerprint.of(copy);
        } else {
            fullChecks++;
            fingerprint.changed().ifPresent(what -> {
                throw new ExternalEditException("edit modified its input: " + what);
            });
        }
        if (before.isPresent() && FileStamps.allChangedBefore(before.get(), start.get())) confirmed = before.get();
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
