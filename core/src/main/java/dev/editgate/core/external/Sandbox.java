package dev.editgate.core.external;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How an external edit is confined, best first. {@link #BWRAP} and {@link #UNSHARE} give the edit its own PID
 * namespace (when the command ends or is killed, the kernel kills every process it started, double-forked and
 * {@code setsid} ones included) and a view of the file system in which everything is read-only except the
 * trial's work folder (output folders and TMPDIR): the user's model folder, the input copy, the home and
 * working folders cannot be written. {@link #SESSION} only starts the edit in a new session and kills that
 * session; a child that calls {@code setsid} itself escapes it, and writes outside the trial folders are
 * detected afterwards where editgate looks (input copy, output folder, scratch folder, model folder), not
 * prevented. {@link #NONE} kills the process and its attached descendants.
 *
 * <p>{@link #current()} picks the best mechanism that works here, proven by a probe (a write outside the work
 * folder must fail, one inside must succeed). {@code -Deditgate.sandbox} or {@code $EDITGATE_SANDBOX}
 * ({@code auto}, {@code bwrap}, {@code unshare}, {@code session}, {@code none}) forces one.
 */
public enum Sandbox {
    BWRAP("bwrap (bubblewrap): read-only file system except the trial's work folder, own PID namespace", true),
    UNSHARE("unshare: mount namespace with every mount read-only except the trial's work folder, own PID namespace", true),
    SESSION("no sandbox: the edit runs in its own session, killed as a whole;"
            + " writes outside the trial folders are not prevented, only detected in the input copy, output, scratch and model folders", false),
    NONE("no sandbox and no setsid: the edit and its attached descendants are killed;"
            + " writes outside the trial folders are not prevented, only detected in the input copy, output, scratch and model folders", false);

    private static final Map<Sandbox, String> PROBED = new ConcurrentHashMap<>();
    private static volatile Sandbox chosen;

    private final String description;
    private final boolean isolates;

    Sandbox(String description, boolean isolates) {
        this.description = description;
        this.isolates = isolates;
    }

    /** One line for reports and the console. */
    public String description() { return description; }

    /** True when the edit cannot write outside its work folder and no process survives the command. */
    public boolean isolates() { return isolates; }

    /** The mechanism in force: forced by {@code editgate.sandbox}/{@code EDITGATE_SANDBOX}, else the best that works. */
    public static Sandbox current() {
        String forced = System.getProperty("editgate.sandbox");
        if (forced == null || forced.isBlank()) forced = System.getenv("EDITGATE_SANDBOX");
        if (forced != null && !forced.isBlank() && !forced.strip().equalsIgnoreCase("auto")) return forced(forced.strip());
        Sandbox c = chosen;
        if (c == null) {
            c = NONE;
            for (Sandbox s : values()) {
                if (unavailable(s) == null) {
                    c = s;
                    break;
                }
            }
            chosen = c;
        }
        return c;
    }

    private static Sandbox forced(String name) {
        Sandbox s;
        try {
            s = valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("editgate.sandbox=" + name + ": expected auto, bwrap, unshare, session or none");
        }
        String why = unavailable(s);
        if (why != null) throw new IllegalArgumentException("editgate.sandbox=" + name + ": not available here (" + why + ")");
        return s;
    }

    /** Why {@code s} does not work on this machine, or null when it does (probed once per JVM). */
    public static String unavailable(Sandbox s) {
        String why = PROBED.computeIfAbsent(s, Sandbox::probe);
        return why.isEmpty() ? null : why;
    }

    /**
     * {@code command} wrapped so that it runs confined, with {@code work} the only writable folder.
     * The result's process is the one to kill: killing it ends every process the command started.
     */
    public List<String> wrap(List<String> command, Path work) {
        String w = work.toAbsolutePath().toString();
        List<String> argv = new ArrayList<>();
        switch (this) {
            case BWRAP -> argv.addAll(List.of("bwrap", "--ro-bind", "/", "/", "--dev-bind", "/dev", "/dev", "--tmpfs", "/dev/shm",
                    "--proc", "/proc", "--bind", w, w, "--unshare-pid", "--die-with-parent", "--new-session", "--"));
            case UNSHARE -> {
                argv.addAll(List.of("unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--mount-proc"));
                if (!isRoot()) argv.addAll(List.of("--user", "--map-root-user"));
                argv.addAll(List.of("--", "sh", "-c", UNSHARE_SETUP, "editgate-sandbox", w));
            }
            case SESSION -> argv.addAll(List.of("setsid", "--"));
            case NONE -> { }
        }
        argv.addAll(command);
        return argv;
    }

    /**
     * Run inside the new mount namespace: keep {@code $1} writable (a bind mount of itself), give /dev/shm a
     * private tmpfs, remount every other mount read-only (except /proc and /dev), then exec the command.
     */
    private static final String UNSHARE_SETUP = String.join("\n",
            "w=\"$1\"; shift",
            "mount --bind \"$w\" \"$w\" || { echo 'editgate sandbox: cannot bind the work folder' >&2; exit 125; }",
            "mount -t tmpfs -o mode=1777 tmpfs /dev/shm 2>/dev/null",
            "while read -r _ _ _ _ m _; do",
            "  m=$(printf '%b' \"$m\")",
            "  case \"$m\" in \"$w\"|/proc|/proc/*|/dev|/dev/*) ;; *) mount -o remount,bind,ro \"$m\" 2>/dev/null ;; esac",
            "done < /proc/self/mountinfo",
            "exec \"$@\"");

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[1].equals("0");
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return false;
    }

    /** "" when a confined write inside the work folder succeeds and one outside it fails; otherwise why not. */
    private static String probe(Sandbox s) {
        if (s == NONE) return "";
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return "not Linux";
        Path dir = null;
        try {
            dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "editgate-sandbox-probe-");
            Path work = Files.createDirectory(dir.resolve("work"));
            Path outside = dir.resolve("outside");
            String script = "echo ok > '" + work.resolve("inside") + "' && { echo x > '" + outside + "'; } 2>/dev/null; exit 0";
            Process p = new ProcessBuilder(s.wrap(List.of("sh", "-c", script), work))
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return s.name().toLowerCase(Locale.ROOT) + " did not finish a trivial command within 20 s";
            }
            String said = new String(out, StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) return s.name().toLowerCase(Locale.ROOT) + " exited " + p.exitValue() + (said.isEmpty() ? "" : ": " + firstLine(said));
            if (!Files.exists(work.resolve("inside"))) return "the work folder was not writable inside it";
            if (s.isolates && Files.exists(outside)) return "a write outside the work folder was not prevented";
            return "";
        } catch (IOException e) {
            return s.name().toLowerCase(Locale.ROOT) + " cannot run (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (dir != null) NoFollowFiles.tryDeleteTree(dir);
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
