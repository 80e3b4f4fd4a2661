package dev.editgate.core.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one guard every input file passes before editgate opens it: it must be a regular file (a FIFO would
 * block the reader forever, a device or socket is never a model file), a symbolic link must resolve and stay
 * inside the folder it belongs to, and its size must be within what its kind can sensibly be, checked before
 * anything is mapped or read. Errors name the file and say what it is instead:
 * {@code /m/model.safetensors: is a FIFO (named pipe), not a regular file}.
 *
 * <p>Bad input is an {@link IllegalArgumentException}; a missing file an {@link UncheckedIOException}
 * (with a {@link NoSuchFileException} cause) whose message names the file.
 */
public final class InputFile {
    /** config.json, an index, a revision ref or a prompt file: far below this. */
    public static final long MAX_SMALL_FILE = 64L << 20;
    /** tokenizer.json of the largest vocabularies stays below this. */
    public static final long MAX_TOKENIZER = 1L << 30;

    private InputFile() {}

    /**
     * Checks {@code file} and returns it. {@code root} (may be null) is the folder a symbolic link must not
     * leave, for a model folder its {@link #modelRoot}; {@code what} names the file's role in messages.
     */
    public static Path check(Path file, String what, Path root, long maxBytes) {
        BasicFileAttributes own = attributes(file, what, LinkOption.NOFOLLOW_LINKS);
        BasicFileAttributes target = own;
        if (own.isSymbolicLink() || root != null) {
            Path real = realPath(file);
            if (root != null) {
                Path realRoot = realPath(root);
                if (!real.startsWith(realRoot)) {
                    throw new IllegalArgumentException(file + ": " + (own.isSymbolicLink() ? "is a symbolic link to " : "resolves to ") + real
                            + ", outside the model folder " + realRoot + "; editgate reads only files inside the model folder");
                }
            }
            target = attributes(real, what, LinkOption.NOFOLLOW_LINKS);
        }
        if (!target.isRegularFile()) {
            throw new IllegalArgumentException(file + ": " + describe(file, target) + ", not a regular file (expected " + what + ")");
        }
        if (target.size() > maxBytes) {
            throw new IllegalArgumentException(file + ": is " + target.size() + " bytes; " + what + " is at most " + maxBytes
                    + " bytes (is this the right file?)");
        }
        return file;
    }

    /** {@link #check} without a containing folder (a file the user named directly, e.g. {@code --tokenizer}). */
    public static Path check(Path file, String what, long maxBytes) {
        return check(file, what, null, maxBytes);
    }

    /** True when something, even a dangling link, is at {@code path}. */
    public static boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The folder a model's symbolic links may point into: the folder itself, or for a Hugging Face cache
     * snapshot ({@code models--ORG--NAME/snapshots/COMMIT}) the repository folder, whose {@code blobs/} the
     * snapshot's links name.
     */
    public static Path modelRoot(Path folder) {
        Path abs = folder.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Path grand = parent == null ? null : parent.getParent();
        if (grand != null && parent.getFileName() != null && parent.getFileName().toString().equals("snapshots")
                && grand.getFileName() != null && grand.getFileName().toString().startsWith("models--")) {
            return grand;
        }
        return abs;
    }

    /** What {@code path} is, in words: "a folder", "a FIFO (named pipe)", "a character device", ... */
    public static String describe(Path path, BasicFileAttributes a) {
        if (a.isDirectory()) return "is a folder";
        if (a.isSymbolicLink()) return "is a symbolic link";
        if (a.isRegularFile()) return "is a regular file";
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return switch (mode & 0170000) {
                case 0010000 -> "is a FIFO (named pipe)";
                case 0020000 -> "is a character device";
                case 0060000 -> "is a block device";
                case 0140000 -> "is a socket";
                default -> "is a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "is a special file";
        }
    }

    /** {@link #describe} of whatever is at {@code path} (without following a link), or "does not exist". */
    public static String describe(Path path) {
        try {
            return describe(path, Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return "does not exist";
        }
    }

    private static BasicFileAttributes attributes(Path file, String what, LinkOption... options) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, options);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(file + ": no such file (expected " + what + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": is a dangling symbolic link (to " + linkTarget(file) + ", which does not exist)");
        } catch (FileSystemException e) {
            String reason = String.valueOf(e.getReason());
            if (reason.contains("Too many levels") || reason.contains("symbolic links") || reason.contains("loop")) {
                throw new IllegalArgumentException(file + ": is a symbolic link loop (" + linkTarget(file) + " leads back to itself)");
            }
            throw new UncheckedIOException(file + ": cannot resolve (" + reason + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot resolve (" + e.getMessage() + ")", e);
        }
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }
}
