package dev.editgate.core.external;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every temporary folder editgate creates for an edit (scratch folders, input copies, private model copies)
 * and every edit process it starts, so that nothing outlives the run: {@link #delete} removes a folder on the
 * normal path, and a shutdown hook (Ctrl-C, an error that ends the JVM) first kills the processes still
 * running, then deletes the folders still registered. Folders are created under the current
 * {@code java.io.tmpdir} (read at each call, so a test can point it at a folder of its own).
 */
public final class ScratchFolders {
    private static final Set<Path> FOLDERS = ConcurrentHashMap.newKeySet();
    private static final Set<EditProcess> PROCESSES = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ScratchFolders::cleanUp, "editgate-cleanup"));
    }

    private ScratchFolders() {}

    /** A new empty folder {@code <tmpdir>/<prefix>NNN}, deleted at exit unless {@link #delete}d before. */
    public static Path create(String prefix) {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Path dir = Files.createTempDirectory(base, prefix);
            FOLDERS.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder in " + base + ": " + e.getMessage(), e);
        }
    }

    /** Deletes {@code dir} without following links; returns false (and keeps it registered) when that failed. */
    public static boolean delete(Path dir) {
        boolean ok = NoFollowFiles.tryDeleteTree(dir);
        if (ok) FOLDERS.remove(dir);
        return ok;
    }

    static void track(EditProcess p) {
        PROCESSES.add(p);
    }

    static void untrack(EditProcess p) {
        PROCESSES.remove(p);
    }

    /** The folders not yet deleted (for tests and diagnostics). */
    public static Set<Path> live() {
        return Set.copyOf(FOLDERS);
    }

    private static void cleanUp() {
        for (EditProcess p : PROCESSES) {
            try {
                p.kill();
            } catch (RuntimeException ignored) {
                // best effort while the JVM exits
            }
        }
        for (Path f : FOLDERS) NoFollowFiles.tryDeleteTree(f);
    }
}
