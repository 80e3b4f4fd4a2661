package dev.editgate.core.external;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * File operations on folders an untrusted edit could reach: none of them follows a symbolic link, opens a
 * FIFO or changes the mode of anything but a real directory. Deleting a planted link deletes the link; the
 * file it points to is never opened, written or chmod-ed.
 */
public final class NoFollowFiles {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private NoFollowFiles() {}

    /** What {@code p} is, without following it: "a regular file", "a folder", "a symbolic link to X", "a FIFO", ... or "missing". */
    public static String kind(Path p) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW);
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Files.isSymbolicLink(p) ? "a symbolic link" : Files.isDirectory(p, NOFOLLOW) ? "a folder"
                    : Files.isRegularFile(p, NOFOLLOW) ? "a regular file" : "not a regular file";
        }
        return switch (mode & 0170000) {
            case 0100000 -> "a regular file";
            case 0040000 -> "a folder";
            case 0120000 -> "a symbolic link" + linkTarget(p);
            case 0010000 -> "a FIFO (named pipe)";
            case 0140000 -> "a socket";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "a special file (mode " + Integer.toOctalString(mode) + ")";
        };
    }

    private static String linkTarget(Path p) {
        try {
            return " to " + Files.readSymbolicLink(p);
        } catch (IOException e) {
            return "";
        }
    }

    public static boolean isRealDirectory(Path p) {
        return Files.isDirectory(p, NOFOLLOW);
    }

    public static boolean isRegularFile(Path p) {
        return Files.isRegularFile(p, NOFOLLOW);
    }

    /** The first entry of {@code dir} (not recursing) that is not a regular file, described, e.g. "…/evil is a symbolic link to /etc/x". */
    public static Optional<String> firstNonRegularEntry(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path e : s) {
                if (!isRegularFile(e)) return Optional.of(e + " is " + kind(e));
            }
        }
        return Optional.empty();
    }

    /**
     * Deletes {@code root} and everything under it. Symbolic links, FIFOs and devices are unlinked, never
     * followed or opened; only real directories are made owner-writable (a read-only input copy) before
     * they are emptied. Missing is fine.
     */
    public static void deleteTree(Path root) {
        try {
            delete(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }

    /** {@link #deleteTree} that reports failure as false instead of throwing (shutdown hooks, best-effort cleanup). */
    public static boolean tryDeleteTree(Path root) {
        try {
            delete(root);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void delete(Path p) throws IOException {
        if (!isRealDirectory(p)) {
            Files.deleteIfExists(p); // unlink: a link is removed, its target untouched
            return;
        }
        try {
            makeOwnerWritable(p);
            try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
                for (Path e : s) delete(e);
            }
        } catch (NoSuchFileException gone) {
            return; // deleted meanwhile (by the shutdown hook, or the edit): nothing left to do
        }
        Files.deleteIfExists(p);
    }

    /** Adds owner rwx to a real directory (no-follow: fchmod on an O_NOFOLLOW descriptor). */
    static void makeOwnerWritable(Path dir) throws IOException {
        if (Files.isWritable(dir) && Files.isExecutable(dir)) return;
        PosixFileAttributeView v = Files.getFileAttributeView(dir, PosixFileAttributeView.class, NOFOLLOW);
        if (v == null) {
            dir.toFile().setWritable(true, true); // non-POSIX file system: no symbolic-link permission games there
            return;
        }
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        perms.addAll(v.readAttributes().permissions());
        perms.addAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
        v.setPermissions(perms);
    }

    /** Removes every write permission from a regular file or real directory we created (no-follow). */
    public static void makeReadOnly(Path p) throws IOException {
        PosixFileAttributeView v = Files.getFileAttributeView(p, PosixFileAttributeView.class, NOFOLLOW);
        if (v == null) {
            p.toFile().setWritable(false, false);
            return;
        }
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        perms.addAll(v.readAttributes().permissions());
        perms.removeAll(Set.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
        v.setPermissions(perms);
    }
}
