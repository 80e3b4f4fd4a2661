package dev.editgate.core.external;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The inode stamps of a folder's regular files, read without opening them: size, modification time, change time
 * (ctime, nanoseconds where the file system keeps them), device and inode number, keyed by file name.
 *
 * <p>Why the change time: a process can write a file and set its modification time back ({@code utimensat}), but
 * every write, truncation, {@code chmod}, link or time change sets the inode's ctime to the kernel's current time,
 * and no system call lets a process choose it (short of setting the system clock, which needs {@code CAP_SYS_TIME}).
 * A file whose ctime is older than a moment M and still equal afterwards was therefore not changed after M,
 * provided the file system updates ctime on every path that writes data. Local Linux file systems do
 * ({@link #CTIME_ON_EVERY_WRITE}, stores written through a shared memory map included, via their page-fault hook);
 * tmpfs does not for writes through a shared memory map, and remote and FUSE file systems promise nothing, so
 * {@link InputGuard} trusts stamps only on the listed types (or when a sandbox keeps the folder read-only).
 *
 * <p>{@link #now(Path)} reads "now" from the file system itself (the ctime of a file created and deleted at once),
 * so stamps are compared with times of the same clock and the same granularity: a ctime strictly below it cannot
 * be given again to a later write, however coarse the file system's clock.
 */
final class FileStamps {
    /** File system types (as {@link FileStore#type()} names them on Linux) that set ctime on every data write. */
    static final Set<String> CTIME_ON_EVERY_WRITE = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs");
    private static final String ATTRIBUTES = "unix:size,lastModifiedTime,ctime,dev,ino";

    private FileStamps() {}

    /** Whether {@code folder}'s file system is one of {@link #CTIME_ON_EVERY_WRITE} and exposes the unix attributes. */
    static boolean trustworthy(Path folder) {
        try {
            FileStore store = Files.getFileStore(folder);
            return CTIME_ON_EVERY_WRITE.contains(store.type()) && store.supportsFileAttributeView("unix");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Name to stamp of every regular file in {@code folder} (an entry that vanished while listed reads "gone"); empty
     * when the platform has no unix attributes or the folder cannot be listed (then nothing can be proven by stamps).
     */
    static Optional<Map<String, Stamp>> read(Path folder) {
        Map<String, Stamp> out = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(folder)) {
            for (Path f : list.sorted().toList()) {
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) continue;
                out.put(f.getFileName().toString(), stamp(f));
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /**
     * The file system's current time: the ctime of a file created (and deleted) in {@code folder} now; empty when
     * it cannot be read.
     */
    static Optional<FileTime> now(Path folder) {
        Path probe = null;
        try {
            probe = Files.createTempFile(folder, ".clock-", "");
            return Optional.of((FileTime) Files.getAttribute(probe, "unix:ctime", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a leftover probe is only a name in our own scratch folder
                }
            }
        }
    }

    /** Whether every file's ctime is strictly before {@code moment} (so a later write cannot reproduce it). */
    static boolean allChangedBefore(Map<String, Stamp> stamps, FileTime moment) {
        return stamps.values().stream().allMatch(s -> s.ctime() != null && s.ctime().compareTo(moment) < 0);
    }

    private static Stamp stamp(Path f) throws IOException {
        try {
            Map<String, Object> a = Files.readAttributes(f, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            return new Stamp((Long) a.get("size"), (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"), a.get("dev"), a.get("ino"));
        } catch (java.nio.file.NoSuchFileException gone) {
            return new Stamp(-1, null, null, "gone", "gone");
        }
    }

    /** One file's stamp; equal stamps mean the same inode, untouched in between (on a trustworthy file system). */
    record Stamp(long size, FileTime mtime, FileTime ctime, Object dev, Object ino) {}
}
