package dev.editgate.core.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.SafetensorsFile;
import dev.editgate.core.safetensors.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A lab's head-permutation code run as an external process (protocol 1, docs/external-edit-protocol.md).
 *
 * <p>Each call writes a request, runs the command (one-shot) or asks the worker, waits at most the
 * spec's timeout (then kills the whole process tree), checks that the input copy is unchanged
 * ({@link InputGuard}), validates the output (readable safetensors, names from the original, equal
 * shapes and dtypes) and returns the original with those tensors replaced. Every failure is an
 * {@link ExternalEditException} naming the command, the request id and what went wrong; a dead or
 * misbehaving worker is restarted for the next trial. Not thread-safe: one trial at a time.
 */
public final class ExternalHeadPermutationEdit implements HeadPermutationEdit, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TAIL = 4096;

    private final ExternalEditSpec spec;
    private final Path scratch;
    private final InputGuard guard;
    private final AtomicInteger counter = new AtomicInteger();
    private Process worker;
    private BlockingQueue<String> workerLines;
    private Path workerStderr;
    private TrialStats last;
    private Path previousOut;
    private Path previousIn;
    /** The first checkpoint handed in, checked bit for bit against the guarded copy: "the original". */
    private Checkpoint original;

    private ExternalHeadPermutationEdit(ExternalEditSpec spec, Path originalFolder) {
        this.spec = spec;
        try {
            this.scratch = Files.createTempDirectory("editgate-external-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch folder for the external edit", e);
        }
        this.guard = new InputGuard(originalFolder, scratch);
    }

    /** @param originalFolder the model folder; the command only ever sees a guarded copy of it */
    public static ExternalHeadPermutationEdit of(ExternalEditSpec spec, Path originalFolder) {
        return new ExternalHeadPermutationEdit(spec, originalFolder);
    }

    /** The folder handed to the command as {@code input}. */
    public Path inputFolder() { return guard.folder(); }

    /** The last trial's wall time, exit code and stderr tail; empty before the first trial. */
    public Optional<TrialStats> lastTrial() { return Optional.ofNullable(last); }

    @Override
    public Checkpoint permuteHeads(Checkpoint original, int layer, Permutation perm) {
        String id = "t" + counter.incrementAndGet();
        if (previousOut != null) deleteTree(previousOut); // earlier results stay valid: their mappings survive unlinking (POSIX)
        if (previousIn != null) deleteTree(previousIn);
        Path out = scratch.resolve("out-" + id);
        previousOut = out;
        Path input = inputFor(original, id);
        long start = System.nanoTime();
        int[] exit = {-1};
        String[] tail = {""};
        try {
            Files.createDirectories(out);
            ObjectNode req = JSON.createObjectNode();
            req.put("protocol", 1).put("id", id).put("edit", "head_permutation").put("layer", layer);
            ArrayNode p = req.putArray("permutation");
            for (int v : perm.toArray()) p.add(v);
            req.put("convention", "new head i = old head perm[i]");
            req.put("input", input.toString()).put("output", out.toString());
            String line = JSON.writeValueAsString(req);
            if (spec.mode() == ExternalEditSpec.Mode.ONE_SHOT) {
                runOneShot(id, line, exit, tail);
            } else {
                askWorker(id, line, tail);
            }
            guard.verify();
            Checkpoint merged = merge(original, out, id);
            last = new TrialStats(id, true, Duration.ofNanos(System.nanoTime() - start), exit[0], tail[0], null);
            return merged;
        } catch (ExternalEditException e) {
            ExternalEditException reported = e;
            if (!e.getMessage().contains("edit modified its input")) {
                try {
                    guard.verify(); // a crash after writing into the input is reported as the modification
                } catch (ExternalEditException modified) {
                    reported = fail(id, modified.getMessage(), tail[0]);
                }
            } else {
                reported = fail(id, e.getMessage(), tail[0]);
            }
            if (reported.getMessage().contains("edit modified its input")) guard.restore();
            last = new TrialStats(id, false, Duration.ofNanos(System.nanoTime() - start), exit[0], tail[0], reported.getMessage());
            throw reported;
        } catch (IOException e) {
            last = new TrialStats(id, false, Duration.ofNanos(System.nanoTime() - start), exit[0], tail[0], e.toString());
            throw new ExternalEditException(prefix(id) + "I/O error: " + e.getMessage(), e);
        }
    }

    /**
     * The folder to hand over as {@code input}: the guarded copy when {@code ck} is the original model, otherwise
     * (e.g. the gate's round trip applies the edit to an already edited checkpoint) a private folder holding
     * {@code ck}, so the command always edits exactly the checkpoint it was given.
     */
    private Path inputFor(Checkpoint ck, String id) {
        if (isOriginal(ck)) return guard.folder();
        Path in = scratch.resolve("in-" + id);
        dev.editgate.core.checkpoint.CheckpointWriter.write(ck, in, guard.folder(), Map.of("format", "pt"));
        previousIn = in;
        return in;
    }

    private boolean isOriginal(Checkpoint ck) {
        if (original == null) {
            Checkpoint copy = Checkpoint.load(guard.folder());
            if (!sameTensors(ck, copy)) return false;
            original = ck;
            return true;
        }
        return ck == original || sameTensors(ck, original);
    }

    /** Same names and bit-identical tensors (shared tensor objects are not compared). */
    private static boolean sameTensors(Checkpoint a, Checkpoint b) {
        if (!a.names().equals(b.names())) return false;
        for (String name : a.names()) {
            Tensor x = a.tensor(name);
            Tensor y = b.tensor(name);
            if (x != y && !x.bitEquals(y)) return false;
        }
        return true;
    }

    private String prefix(String id) {
        return "external edit `" + String.join(" ", spec.command()) + "` request " + id + ": ";
    }

    private ExternalEditException fail(String id, String what, String stderrTail) {
        if (what.startsWith("external edit `")) return new ExternalEditException(what);
        String msg = prefix(id) + what;
        if (stderrTail != null && !stderrTail.isBlank() && !what.contains("edit modified its input")) msg += "\n--- stderr (tail) ---\n" + stderrTail.strip();
        return new ExternalEditException(msg);
    }

    private void runOneShot(String id, String requestJson, int[] exit, String[] tail) throws IOException {
        Path reqFile = scratch.resolve("request-" + id + ".json");
        Files.writeString(reqFile, requestJson);
        Path err = scratch.resolve("stderr-" + id + ".txt");
        ProcessBuilder pb = new ProcessBuilder(spec.command()).directory(spec.workDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        pb.environment().put("EDITGATE_REQUEST", reqFile.toString());
        pb.environment().put("EDITGATE_MODE", "one-shot");
        Process proc = start(pb, id);
        boolean done;
        try {
            done = proc.waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            killTree(proc);
            Thread.currentThread().interrupt();
            throw fail(id, "interrupted", "");
        }
        if (!done) {
            killTree(proc);
            tail[0] = tail(err, 0);
            throw fail(id, "timed out after " + spec.timeout().toMillis() + " ms; killed the process tree", tail[0]);
        }
        exit[0] = proc.exitValue();
        tail[0] = tail(err, 0);
        if (exit[0] != 0) throw fail(id, "crashed with exit code " + exit[0], tail[0]);
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private Process start(ProcessBuilder pb, String id) {
        try {
            return pb.start();
        } catch (IOException e) {
            throw fail(id, "cannot start: " + e.getMessage(), "");
        }
    }

    private void askWorker(String id, String requestJson, String[] tail) throws IOException {
        if (worker == null || !worker.isAlive()) startWorker(id);
        long errStart = Files.size(workerStderr);
        try {
            OutputStream in = worker.getOutputStream();
            in.write((requestJson + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            tail[0] = tail(workerStderr, errStart);
            stopWorker();
            throw fail(id, "worker died before taking the request (" + e.getMessage() + ")", tail[0]);
        }
        String reply;
        try {
            reply = workerLines.poll(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            stopWorker();
            Thread.currentThread().interrupt();
            throw fail(id, "interrupted", "");
        }
        tail[0] = tail(workerStderr, errStart);
        if (reply == null) {
            stopWorker();
            throw fail(id, "worker gave no reply within " + spec.timeout().toMillis() + " ms; killed the process tree", tail[0]);
        }
        if (reply.equals(EOF)) {
            int code = waitExit(worker);
            stopWorker();
            tail[0] = tail(workerStderr, errStart);
            throw fail(id, "worker crashed with exit code " + code + " before replying", tail[0]);
        }
        JsonNode node;
        try {
            node = JSON.readTree(reply);
        } catch (IOException e) {
            node = null;
        }
        if (node == null || !node.isObject() || !node.has("ok")) {
            stopWorker();
            throw fail(id, "garbage reply on stdout (expected one JSON line {\"id\":..., \"ok\":...}): " + abbreviate(reply), tail[0]);
        }
        if (!id.equals(node.path("id").asText())) {
            stopWorker();
            throw fail(id, "reply for request id " + node.path("id") + " instead of " + id, tail[0]);
        }
        if (!node.path("ok").asBoolean(false)) {
            throw fail(id, "edit failed: " + node.path("error").asText("(no error message)"), tail[0]);
        }
    }

    private static final String EOF = "\u0000EOF";

    private void startWorker(String id) throws IOException {
        workerStderr = scratch.resolve("worker-stderr.txt");
        if (!Files.exists(workerStderr)) Files.createFile(workerStderr);
        ProcessBuilder pb = new ProcessBuilder(spec.command()).directory(spec.workDir().toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(workerStderr.toFile()));
        pb.environment().put("EDITGATE_MODE", "worker");
        pb.environment().remove("EDITGATE_REQUEST");
        worker = start(pb, id);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        workerLines = lines;
        Process proc = worker;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) lines.add(l);
            } catch (IOException ignored) {
                // the worker went away; EOF below tells the waiting trial
            }
            lines.add(EOF);
        }, "editgate-worker-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    private static int waitExit(Process p) {
        try {
            return p.waitFor(2, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void stopWorker() {
        if (worker != null) killTree(worker);
        worker = null;
    }

    /** Kills {@code p} and every descendant (children first are snapshotted, so none escapes by reparenting). */
    static void killTree(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Checkpoint merge(Checkpoint original, Path out, String id) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        if (files.isEmpty()) throw fail(id, "missing output: no *.safetensors in " + out, "");
        Map<String, Tensor> changed = new LinkedHashMap<>();
        for (Path f : files) {
            SafetensorsFile sf;
            try {
                sf = SafetensorsFile.open(f);
            } catch (RuntimeException e) {
                throw fail(id, "output " + f + " is not readable safetensors: " + e.getMessage(), "");
            }
            for (Tensor t : sf.tensors().values()) {
                if (!original.has(t.name())) throw fail(id, "output " + f.getFileName() + " has unknown tensor '" + t.name() + "' (not in the original model)", "");
                Tensor o = original.tensor(t.name());
                if (o.dtype() != t.dtype()) throw fail(id, "tensor '" + t.name() + "' has dtype " + t.dtype() + "; the original is " + o.dtype(), "");
                if (!Arrays.equals(o.shape(), t.shape())) throw fail(id, "tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape()) + "; the original is " + Arrays.toString(o.shape()), "");
                changed.put(t.name(), t);
            }
        }
        return original.withTensors(changed);
    }

    private static String tail(Path file, long from) {
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "r")) {
            long len = r.length();
            long start = Math.max(from, len - TAIL);
            byte[] b = new byte[(int) (len - start)];
            r.seek(start);
            r.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e.getMessage() + ")";
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp folder
        }
    }

    @Override
    public void close() {
        stopWorker();
        guard.close();
        deleteTree(scratch);
    }
}
