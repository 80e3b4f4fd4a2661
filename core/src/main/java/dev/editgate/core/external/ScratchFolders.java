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
    /**
     * Processes being started and not yet tracked: a loaded machine can run a child's first commands before
     * {@code ProcessBuilder.start} returns, so a Ctrl-C then finds a process that nobody has registered yet.
     */
    private static final java.util.concurrent.atomic.AtomicInteger STARTING = new java.util.concurrent.atomic.AtomicInteger();
    private static final long START_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    /** Serialises creating and deleting with the shutdown hook, so the two never race over one tree. */
    private static final Object LOCK = new Object();
    private static volatile boolean exiting;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ScratchFolders::cleanUp, "editgate-cleanup"));
    }

    private ScratchFolders() {}

    /** A new empty folder {@code <tmpdir>/<prefix>NNN}, deleted at exit unless {@link #delete}d before. */
    public static Path create(String prefix) {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        synchronized (LOCK) {
            if (exiting) throw new IllegalStateException("editgate is exiting; no new temporary folder");
            try {
                Path dir = Files.createTempDirectory(base, prefix);
                FOLDERS.add(dir);
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary folder in " + base + ": " + e.getMessage(), e);
            }
        }
    }

    /** Deletes {@code dir} without following links; returns false (and keeps it registered) when that failed. */
    public static boolean delete(Path dir) {
        synchronized (LOCK) {
            boolean ok = NoFollowFiles.tryDeleteTree(dir);
            if (ok) FOLDERS.remove(dir);
            return ok;
        }
    }

    /** File work in a registered folder that must not race the shutdown hook's deletion (it would recreate what was deleted). */
    public interface FolderWork {
        void run() throws IOException;
    }

    /**
     * Runs {@code work} unless the JVM is exiting, never at the same time as the shutdown hook's deletion.
     *
     * @throws ExternalEditException when the JVM is exiting (Ctrl-C): nothing new is created then
     */
    public static void unlessExiting(FolderWork work) throws IOException {
        synchronized (LOCK) {
            if (exiting) throw new ExternalEditException("editgate is exiting (interrupted); the trial was abandoned");
            work.run();
        }
    }

    /** True once the shutdown hook started. */
    public static boolean exiting() {
        return exiting;
    }

    /** Called before a process is started; {@link #track} or {@link #startFailed} must follow. */
    static void starting() {
        STARTING.incrementAndGet();
    }

    /** The start announced by {@link #starting} threw: there is no process to track. */
    static void startFailed() {
        STARTING.decrementAndGet();
    }

    /** Registers a started process; one started while the JVM exits is killed at once. */
    static void track(EditProcess p) {
        PROCESSES.add(p);
        STARTING.decrementAndGet();
        if (exiting) p.kill();
    }

    static void untrack(EditProcess p) {
        PROCESSES.remove(p);
    }

    /** The folders not yet deleted (for tests and diagnostics). */
    public static Set<Path> live() {
        return Set.copyOf(FOLDERS);
    }

    private static void cleanUp() {
        exiting = true;
        long deadline = System.nanoTime() + START_WAIT_NANOS;          // let a start in progress register its process
        while (STARTING.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                break;
            }
        }
        for (EditProcess p : PROCESSES) {
            try {
                p.kill();
            } catch (RuntimeException ignored) {
                // best effort while the JVM exits
            }
        }
        synchronized (LOCK) {
            for (Path f : FOLDERS) NoFollowFiles.tryDeleteTree(f);
        }
    }
}
