package dev.editgate.core.external;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One run of the edit command inside a {@link Sandbox}: its stderr kept as a bounded {@link OutputTail}, and
 * {@link #kill()} ending every process it started. Registered with {@link ScratchFolders} while alive, so a
 * JVM that exits (Ctrl-C) kills it too.
 */
public final class EditProcess {
    private final Process process;
    private final Sandbox sandbox;
    private final OutputTail stderr;

    private EditProcess(Process process, Sandbox sandbox) {
        this.process = process;
        this.sandbox = sandbox;
        this.stderr = OutputTail.pump(process.getErrorStream(), "editgate-edit-stderr-" + process.pid());
    }

    /**
     * Starts {@code command} in {@code dir}, confined to the writable {@code work} folder (TMPDIR is
     * {@code work/tmp}). Stdin and stdout are pipes when {@code pipes}, else /dev/null and discarded.
     */
    public static EditProcess start(Sandbox sandbox, List<String> command, Path dir, Path work, Map<String, String> env, boolean pipes)
            throws IOException {
        Path tmp = work.resolve("tmp");
        Files.createDirectories(tmp);
        ProcessBuilder pb = new ProcessBuilder(sandbox.wrap(command, work)).directory(dir.toFile());
        if (!pipes) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        pb.environment().putAll(env);
        pb.environment().put("TMPDIR", tmp.toString());
        ScratchFolders.starting();
        Process started;
        try {
            started = pb.start();
        } catch (IOException | RuntimeException e) {
            ScratchFolders.startFailed();
            throw e;
        }
        EditProcess p = new EditProcess(started, sandbox);
        ScratchFolders.track(p);
        return p;
    }

    public Process process() { return process; }

    public OutputTail stderr() { return stderr; }

    /** Kills the command and everything it started; returns once they are gone (or after a few seconds). */
    public void kill() {
        Set<ProcessHandle> all = new HashSet<>(process.descendants().toList());
        if (sandbox == Sandbox.SESSION) all.addAll(inSession(process.pid()));
        all.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (sandbox == Sandbox.SESSION) {
            for (int round = 0; round < 50; round++) { // a forking child may add members while we kill
                List<ProcessHandle> left = inSession(process.pid());
                if (left.isEmpty()) break;
                left.forEach(ProcessHandle::destroyForcibly);
                all.addAll(left);
            }
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (ProcessHandle h : all) {
                while (running(h) && System.nanoTime() < deadline) Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ScratchFolders.untrack(this);
    }

    /** Alive and not a zombie (a killed orphan may wait for a PID 1 that is slow to reap it; it runs no code). */
    static boolean running(ProcessHandle h) {
        if (!h.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Live processes whose session id is {@code sid} (field 6 of /proc/PID/stat), the session leader included. */
    static List<ProcessHandle> inSession(long sid) {
        List<ProcessHandle> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : s) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // after "pid (comm) ": state ppid pgrp session ...
                    if (f[0].equals("Z")) continue;
                    if (Long.parseLong(f[3]) == sid) ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(out::add);
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to find
        }
        return out;
    }
}
