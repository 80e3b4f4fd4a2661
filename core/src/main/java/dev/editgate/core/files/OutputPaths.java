package dev.editgate.core.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The one rule for every path editgate writes ({@code permute --out}, {@code logits --out}, {@code gate --report}):
 * it is not empty, it is a new path or an existing thing of the right kind (a regular file for a file, a folder
 * for a folder; never a FIFO, device, socket or a link to write through), and it lies outside every model folder
 * the command reads, so the user's checkpoint is never replaced. Errors name the flag:
 * {@code --out /m/model.safetensors lies inside the model folder /m; ...}.
 */
public final class OutputPaths {
    private OutputPaths() {}

    /** Checks {@code text} as a file the command will create or replace; returns its path. */
    public static Path file(String flag, String text, Collection<Path> modelFolders) {
        Path out = parse(flag, text);
        BasicFileAttributes a = attributes(out);
        if (a != null) {
            if (a.isSymbolicLink()) {
                throw new IllegalArgumentException(flag + " " + out + " is a symbolic link; editgate does not write through links "
                        + "(remove it or choose a new path)");
            }
            if (!a.isRegularFile()) {
                throw new IllegalArgumentException(flag + " " + out + " " + InputFile.describe(out, a)
                        + "; expected a new path or a regular file to replace");
            }
        }
        requireOutside(flag, out, modelFolders);
        return out;
    }

    /** Checks {@code text} as a folder the command will create or write files into; returns its path. */
    public static Path folder(String flag, String text, Collection<Path> modelFolders) {
        Path out = parse(flag, text);
        BasicFileAttributes a = attributes(out);
        if (a != null && !Files.isDirectory(out)) {
            String what = a.isSymbolicLink() && !Files.exists(out) ? "is a dangling symbolic link" : InputFile.describe(out, a);
            throw new IllegalArgumentException(flag + " " + out + " " + what + ", not a folder; expected a new path or a folder");
        }
        requireOutside(flag, out, modelFolders);
        return out;
    }

    private static Path parse(String flag, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(flag + " is empty; expected a path (editgate does not default to the current folder)");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(flag + " '" + text + "' is not a valid path: " + e.getReason());
        }
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    /** Refuses {@code out} when it is, or lies inside, one of {@code modelFolders}, or is the same file as one in them. */
    private static void requireOutside(String flag, Path out, Collection<Path> modelFolders) {
        Path realOut = realOrLexical(out);
        for (Path folder : modelFolders.stream().filter(Objects::nonNull).toList()) {
            Path root = realOrLexical(InputFile.modelRoot(folder));
            if (realOut.startsWith(root)) {
                throw new IllegalArgumentException(flag + " " + out + (realOut.equals(root) ? " is" : " lies inside") + " the input model folder "
                        + root + "; editgate never writes into the model it reads (choose a path outside it)");
            }
            if (Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> files = Files.list(root)) {
                    for (Path f : files.toList()) {
                        if (Files.isRegularFile(f) && Files.isSameFile(f, out)) {
                            throw new IllegalArgumentException(flag + " " + out + " is the same file as the model's " + f
                                    + " (a hard link); choose a new path");
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(flag + " " + out + ": cannot compare with the model folder " + root, e);
                }
            }
        }
    }

    /** The real path of the deepest existing ancestor of {@code p}, with the rest of {@code p} appended. */
    static Path realOrLexical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return abs;
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs;
        }
    }
}
