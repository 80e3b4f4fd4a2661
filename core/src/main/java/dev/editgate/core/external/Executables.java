package dev.editgate.core.external;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Checks before anything starts that an edit command's program exists and is executable: a missing one is a setup error. */
public final class Executables {
    private Executables() {}

    /** @throws IllegalArgumentException naming the program and where it was looked for */
    static void check(String program, Path workDir) {
        check("--edit command", program, workDir);
    }

    /** As {@link #check(String, Path)}, the message naming {@code flag} (e.g. {@code --runner command}). */
    public static void check(String flag, String program, Path workDir) {
        try {
            if (program.contains("/")) {
                Path p = workDir.resolve(program);
                if (!Files.isRegularFile(p)) throw new IllegalArgumentException(flag + ": " + program + ": no such program (" + p + " is " + NoFollowFiles.kind(p) + ")");
                if (!Files.isExecutable(p)) throw new IllegalArgumentException(flag + ": " + program + ": not executable (" + p + ")");
                return;
            }
            String path = System.getenv("PATH");
            if (path == null) return; // nothing to search: let the start report it
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, program);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return;
            }
            throw new IllegalArgumentException(flag + ": " + program + ": not found on PATH (" + path + ")");
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(flag + ": " + program + ": not a valid program path (" + e.getMessage() + ")");
        }
    }
}
