package dev.editgate.core.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.SafetensorsFile;
import dev.editgate.core.safetensors.SafetensorsWriter;
import dev.editgate.core.safetensors.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lab's head-permutation code run as an external process (protocol 1, docs/external-edit-protocol.md).
 *
 * <p>Each call writes a request, runs the command (one-shot) or asks the worker inside a {@link Sandbox},
 * waits at most the spec's timeout (then kills every process the command started), checks that the input
 * copy is unchanged ({@link InputGuard}: by inode stamps, re-hashed when they change; {@link #verifyInputUnchanged()}
 * re-hashes it whatever the stamps say) and that nothing was written next to the output folder, validates
 * the output ({@link OutputLimits}, readable safetensors, names from the original, equal shapes and dtypes)
 * and returns the original with those tensors replaced. Every failure is an {@link ExternalEditException}
 * naming the command, the request id and what went wrong; a dead or misbehaving worker is restarted for the
 * next trial. Reads from the command are bounded: a reply line ({@link #MAX_REPLY_LINE}), stderr and error
 * replies (a tail, saying how much was dropped). Not thread-safe: one trial at a time.
 *
 * <p>Folders: {@code scratch/} (read-only to a sandboxed edit) holds the input copy, the request files,
 * the inputs of non-original checkpoints and the guarded shards of the original's tensors those inputs link to; {@code scratch/work/} (the only writable folder) holds the output
 * folders {@code out-<id>} and the edit's TMPDIR. All of it is deleted on close and, should the JVM exit
 * first, by {@link ScratchFolders}' shutdown hook.
 */
public final class ExternalHeadPermutationEdit implements HeadPermutationEdit, AutoCloseable {
    /** The longest reply line accepted from a worker, in bytes. */
    public static final int MAX_REPLY_LINE = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private final ExternalEditSpec spec;
    private final Sandbox sandbox;
    private final Path scratch;
    private final Path work;
    private final InputGuard guard;
    private final OutputLimits limits;
    private final AtomicInteger counter = new AtomicInteger();
    private EditProcess worker;
    private ReplyLines workerLines;
    private TrialStats last;
    private Path previousOut;
    private Path previousIn;
    private Path previousRequest;
    /** Guarded shards of the original's tensors that round-trip inputs link to, keyed by the replaced names. */
    private final Map<Set<String>, InputGuard> restShards = new LinkedHashMap<>();
    /** The first checkpoint handed in, checked bit for bit against the guarded copy: "the original". */
    private Checkpoint original;

    private ExternalHeadPermutationEdit(ExternalEditSpec spec, Path originalFolder) {
        this.spec = spec;
        Executables.check(spec.command().get(0), spec.workDir());
        this.sandbox = Sandbox.current();
        this.scratch = ScratchFolders.create("editgate-external-");
        try {
            this.work = Files.createDirectory(scratch.resolve("work"));
            this.guard = new InputGuard(originalFolder, scratch, sandbox.isolates());
            this.limits = OutputLimits.forModel(OutputLimits.sizeOf(guard.folder()));
        } catch (IOException | RuntimeException e) {
            ScratchFolders.delete(scratch);
            if (e instanceof IOException io) throw new UncheckedIOException("cannot prepare the external edit's folders in " + scratch, io);
            throw (RuntimeException) e;
        }
        if (!sandbox.isolates() && WARNED.compareAndSet(false, true)) {
            System.err.println("editgate: WARNING: " + sandbox.description());
        }
    }

    /**
     * @param originalFolder the model folder; the command only ever sees a guarded copy of it
     * @throws IllegalArgumentException when the command's program does not exist or is not executable (a setup error)
     */
    public static ExternalHeadPermutationEdit of(ExternalEditSpec spec, Path originalFolder) {
        return new ExternalHeadPermutationEdit(spec, originalFolder);
    }

    /** The folder handed to the command as {@code input}. */
    public Path inputFolder() { return guard.folder(); }

    /**
     * Re-hashes the whole input copy (a trial only rereads it when its files' stamps changed, see {@link InputGuard}):
     * the gate calls this at the end of every stage. A modification fails with {@code edit modified its input: ...}
     * naming the command, stops the worker and restores a clean copy.
     */
    public void verifyInputUnchanged() {
        try {
            verifyInputs(true);
        } catch (ExternalEditException e) {
            stopWorker(); // nothing may touch the copy while it is rebuilt
            restoreInputs();
            throw new ExternalEditException("external edit `" + String.join(" ", spec.command()) + "` (checked after its trials): " + e.getMessage());
        }
    }

    /** How the command is confined on this machine. */
    public Sandbox sandbox() { return sandbox; }

    /** The last trial's wall time, exit code and stderr tail; empty before the first trial. */
    public Optional<TrialStats> lastTrial() { return Optional.ofNullable(last); }

    @Override
    public Checkpoint permuteHeads(Checkpoint original, int layer, Permutation perm) {
        return run(original, (id, input, out) -> {
            ObjectNode req = JSON.createObjectNode();
            req.put("protocol", 1).put("id", id).put("edit", "head_permutation").put("layer", layer);
            ArrayNode p = req.putArray("permutation");
            for (int v : perm.toArray()) p.add(v);
            req.put("convention", "new head i = old head perm[i]");
            req.put("input", input.toString()).put("output", out.toString());
            return req;
        });
    }

    /**
     * A protocol-2 request for a lab-defined edit with its own parameters: the line is
     * {@code {"protocol": 2, "id", ...fields (edit, layer, params, convention), "input", "output"}}, run with the same
     * process discipline, input guard and merge as a head permutation. {@code fields} must not hold protocol, id,
     * input or output.
     */
    public Checkpoint request(Checkpoint original, ObjectNode fields) {
        for (String reserved : new String[] {"protocol", "id", "input", "output"}) {
            if (fields.has(reserved)) throw new IllegalArgumentException("request fields must not set '" + reserved + "' (the gate sets it)");
        }
        return run(original, (id, input, out) -> {
            ObjectNode req = JSON.createObjectNode();
            req.put("protocol", 2).put("id", id);
            req.setAll(fields.deepCopy());
            req.put("input", input.toString()).put("output", out.toString());
            return req;
        });
    }

    /**
     * A protocol version 2 request: any edit kind (issue 12's catalogue or a lab's own), with its parameters and the
     * sentence of its convention; {@code layer} is null for whole-model kinds. Replies and checks are those of version 1.
     */
    public Checkpoint edit(Checkpoint original, String kind, Integer layer, ObjectNode params, String convention) {
        return run(original, (id, input, out) -> {
            ObjectNode req = JSON.createObjectNode();
            req.put("protocol", 2).put("id", id).put("edit", kind);
            if (layer != null) req.put("layer", layer);
            req.set("params", params);
            req.put("convention", convention);
            req.put("input", input.toString()).put("output", out.toString());
            return req;
        });
    }

    /** Builds one request from its id, input folder and output folder. */
    @FunctionalInterface
    private interface Request {
        ObjectNode build(String id, Path input, Path out);
    }

    private Checkpoint run(Checkpoint original, Request request) {
        String id = "t" + counter.incrementAndGet();
        for (Path p : new Path[] {previousOut, previousIn, previousRequest}) {
            if (p != null) NoFollowFiles.tryDeleteTree(p); // earlier results stay valid: their mappings survive unlinking (POSIX)
        }
        Path out = work.resolve("out-" + id);
        previousOut = out;
        long start = System.nanoTime();
        int[] exit = {-1};
        String[] tail = {""};
        try {
            Path[] inputHolder = new Path[1];
            ScratchFolders.unlessExiting(() -> { // after Ctrl-C nothing new may appear in the scratch folder
                inputHolder[0] = inputFor(original, id);
                Files.createDirectories(out);
            });
            Path input = inputHolder[0];
            String line = JSON.writeValueAsString(request.build(id, input, out));
            if (spec.mode() == ExternalEditSpec.Mode.ONE_SHOT) {
                runOneShot(id, line, exit, tail);
            } else {
                askWorker(id, line, tail);
            }
            verifyInputs(false);
            checkNothingWrittenBeside(out, id);
            Checkpoint merged = merge(original, out, id);
            last = new TrialStats(id, true, Duration.ofNanos(System.nanoTime() - start), exit[0], tail[0], null);
            return merged;
        } catch (ExternalEditException e) {
            if (ScratchFolders.exiting()) throw fail(id, "editgate is exiting (interrupted); the trial was abandoned", "");
            ExternalEditException reported = e.getMessage().startsWith("external edit `") ? e : fail(id, e.getMessage(), tail[0]);
            if (!e.getMessage().contains("edit modified its input")) {
                try {
                    verifyInputs(false); // a crash after writing into the input is reported as the modification
                } catch (ExternalEditException modified) {
                    reported = fail(id, modified.getMessage(), tail[0]);
                }
            }
            if (reported.getMessage().contains("edit modified its input")) {
                stopWorker(); // nothing may touch the copy while it is rebuilt
                restoreInputs();
            }
            last = new TrialStats(id, false, Duration.ofNanos(System.nanoTime() - start), exit[0], tail[0], reported.getMessage());
            throw reported;
        } catch (IOException | UncheckedIOException e) {
            last = new TrialStats(id, false, Duration.ofNanos(System.nanoTime() - start), exit[0], tail[0], e.toString());
            throw new ExternalEditException(prefix(id) + "I/O error: " + e.getMessage(), e);
        }
    }

    /**
     * The folder to hand over as {@code input}: the guarded copy when {@code ck} is the original model, otherwise
     * (e.g. the gate's round trip applies the edit to an already edited checkpoint) a private folder holding
     * {@code ck}, so the command always edits exactly the checkpoint it was given. When {@code ck} is the original
     * with some tensors replaced (same names, shapes and dtypes), that folder is a two-shard checkpoint: a symbolic link to
     * a guarded shard of the original's other tensors ({@link #restShard}, written once per set of replaced names)
     * and a small shard of the replaced tensors, with {@code model.safetensors.index.json}; otherwise one full
     * {@code model.safetensors}.
     */
    private Path inputFor(Checkpoint ck, String id) throws IOException {
        if (isOriginal(ck)) return guard.folder();
        Path in = scratch.resolve("in-" + id);
        previousIn = in;
        Optional<Set<String>> replaced = replacedNames(ck);
        if (replaced.isPresent()) {
            Files.createDirectories(in);
            for (String f : companionFiles()) Files.copy(guard.folder().resolve(f), in.resolve(f));
            Map<String, String> weightMap = new java.util.TreeMap<>();
            List<Tensor> shard = new java.util.ArrayList<>();
            long total = 0;
            for (String name : ck.names()) {
                Tensor t = ck.tensor(name);
                boolean mine = replaced.get().contains(name);
                if (mine) shard.add(t);
                weightMap.put(name, mine ? EDITED_SHARD : REST_SHARD);
                total += t.byteSize();
            }
            if (replaced.get().size() < ck.names().size()) {
                // a symbolic link (as in a Hugging Face cache snapshot): a hard link would change the shard's ctime
                Path rest = restShard(replaced.get()).folder().resolve(REST_FILE);
                Files.createSymbolicLink(in.resolve(REST_SHARD), in.relativize(rest));
            }
            SafetensorsWriter.write(in.resolve(EDITED_SHARD), shard, Map.of("format", "pt"));
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            ObjectNode map = index.putObject("weight_map");
            weightMap.forEach(map::put);
            Files.writeString(in.resolve("model.safetensors.index.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(index));
            return in;
        }
        dev.editgate.core.checkpoint.CheckpointWriter.write(ck, in, guard.folder(), Map.of("format", "pt"));
        return in;
    }

    /** The shard file names of a round-trip input (the Hugging Face sharded naming). */
    private static final String REST_SHARD = "model-00001-of-00002.safetensors";
    private static final String EDITED_SHARD = "model-00002-of-00002.safetensors";
    private static final String REST_FILE = "rest.safetensors";
    /** How many rest shards (one per set of replaced names, each nearly the model's size) are kept. */
    private static final int MAX_REST_SHARDS = 2;

    /** The guard copy's files other than weights (config.json, tokenizer files), as a model folder carries them. */
    private List<String> companionFiles() throws IOException {
        try (var files = Files.list(guard.folder())) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.endsWith(".safetensors") && !n.equals("model.safetensors.index.json")).sorted().toList();
        }
    }

    /**
     * The names whose tensors in {@code ck} differ from the original's, when {@code ck} has the original's names,
     * shapes and dtypes (tensor objects shared with the original are not compared); empty otherwise or before the
     * original is known.
     */
    private Optional<Set<String>> replacedNames(Checkpoint ck) {
        if (original == null || !ck.names().equals(original.names())) return Optional.empty();
        Set<String> replaced = new java.util.LinkedHashSet<>();
        for (String name : ck.names()) {
            Tensor x = ck.tensor(name);
            Tensor o = original.tensor(name);
            if (x == o) continue;
            if (x.dtype() != o.dtype() || !Arrays.equals(x.shape(), o.shape())) return Optional.empty();
            if (!x.bitEquals(o)) replaced.add(name);
        }
        return Optional.of(replaced);
    }

    /**
     * The guarded folder holding {@value #REST_FILE}: every original tensor not in {@code replaced}. Written once per
     * set (at most {@link #MAX_REST_SHARDS} kept), checked after every trial like the input copy (an edit that writes
     * through the link changes this very file).
     */
    private InputGuard restShard(Set<String> replaced) {
        InputGuard rest = restShards.remove(replaced);
        if (rest == null) {
            while (restShards.size() >= MAX_REST_SHARDS) {
                Set<String> oldest = restShards.keySet().iterator().next();
                restShards.remove(oldest).close();
            }
            List<Tensor> tensors = original.names().stream().filter(n -> !replaced.contains(n)).map(original::tensor).toList();
            Checkpoint from = original;
            rest = InputGuard.filledBy(scratch, "rest-", dir -> SafetensorsWriter.write(dir.resolve(REST_FILE), tensors,
                    Map.of("format", "pt", "editgate", "the original's tensors except " + replaced.size() + " of " + from.names().size())),
                    sandbox.isolates());
        }
        restShards.put(replaced, rest); // most recently used last
        return rest;
    }

    /** Checks the input copy and every rest shard ({@link InputGuard#verify()}, or a full re-hash when {@code fully}). */
    private void verifyInputs(boolean fully) {
        for (InputGuard g : guards()) {
            if (fully) g.verifyFully();
            else g.verify();
        }
    }

    /** Restores the input copy and drops the rest shards (rewritten when next needed), after a modification. */
    private void restoreInputs() {
        guard.restore();
        restShards.values().forEach(InputGuard::close);
        restShards.clear();
    }

    private List<InputGuard> guards() {
        List<InputGuard> all = new java.util.ArrayList<>();
        all.add(guard);
        all.addAll(restShards.values());
        return all;
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
        boolean readOnly = sandbox.isolates() && (what.contains("Read-only file system") || stderrTail != null && stderrTail.contains("Read-only file system"));
        if (readOnly) {
            String name = sandbox.name().toLowerCase(java.util.Locale.ROOT);
            String input = guard.folder().toString();
            msg += what.contains(input) || stderrTail != null && stderrTail.contains(input)
                    ? "\n(the edit tried to write into its input " + input + "; the " + name + " sandbox keeps it read-only)"
                    : "\n(the " + name + " sandbox makes everything read-only except the output folder and TMPDIR: the edit tried to write somewhere else)";
        }
        if (stderrTail != null && !stderrTail.isBlank() && !what.contains("edit modified its input")) msg += "\n--- stderr (tail) ---\n" + stderrTail.strip();
        return new ExternalEditException(msg);
    }

    /**
     * Without a sandbox an edit can write anywhere; where editgate can look, it does: the scratch folder holds
     * only what editgate put there, and the work folder only the current output folder and TMPDIR.
     */
    private void checkNothingWrittenBeside(Path out, String id) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(scratch)) {
            for (Path e : s) {
                boolean ours = e.equals(guard.folder()) || e.equals(work) || e.equals(previousIn) || e.equals(previousRequest)
                        || restShards.values().stream().anyMatch(r -> e.equals(r.folder()));
                if (!ours) throw new ExternalEditException("edit wrote outside its output folder: " + e + " (" + NoFollowFiles.kind(e) + ") in the scratch folder");
            }
        }
        if (!NoFollowFiles.isRealDirectory(work)) throw new ExternalEditException("edit replaced the work folder " + work + ": it is now " + NoFollowFiles.kind(work));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(work)) {
            for (Path e : s) {
                String n = e.getFileName().toString();
                if (!e.equals(out) && !n.equals("tmp")) {
                    throw new ExternalEditException("edit wrote outside its output folder: " + e + " (" + NoFollowFiles.kind(e) + ") next to " + out.getFileName());
                }
            }
        }
    }

    private void runOneShot(String id, String requestJson, int[] exit, String[] tail) throws IOException {
        Path reqFile = scratch.resolve("request-" + id + ".json");
        previousRequest = reqFile;
        ScratchFolders.unlessExiting(() -> Files.writeString(reqFile, requestJson));
        EditProcess proc = start(id, Map.of("EDITGATE_REQUEST", reqFile.toString(), "EDITGATE_MODE", "one-shot"), false);
        boolean done;
        try {
            done = proc.process().waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            proc.kill();
            Thread.currentThread().interrupt();
            throw fail(id, "interrupted", "");
        }
        proc.kill(); // whatever it left running (a daemon it forked) dies with the trial
        proc.stderr().awaitEnd(1000);
        tail[0] = proc.stderr().since(0);
        if (!done) throw fail(id, "timed out after " + spec.timeout().toMillis() + " ms; killed the process tree (every process it started)", tail[0]);
        exit[0] = proc.process().exitValue();
        if (exit[0] != 0) throw fail(id, "crashed with exit code " + exit[0], tail[0]);
    }

    private EditProcess start(String id, Map<String, String> env, boolean pipes) {
        try {
            return EditProcess.start(sandbox, spec.command(), spec.workDir(), work, env, pipes);
        } catch (IOException e) {
            throw fail(id, "cannot start: " + e.getMessage(), "");
        }
    }

    private void askWorker(String id, String requestJson, String[] tail) {
        if (worker == null || !worker.process().isAlive()) startWorker(id);
        long errStart = worker.stderr().mark();
        try {
            OutputStream in = worker.process().getOutputStream();
            in.write((requestJson + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            EditProcess dead = worker;
            stopWorker();
            tail[0] = dead.stderr().since(errStart);
            throw fail(id, "worker died before taking the request (" + e.getMessage() + ")", tail[0]);
        }
        ReplyLines.Event event;
        try {
            event = workerLines.poll(spec.timeout().toMillis());
        } catch (InterruptedException e) {
            stopWorker();
            Thread.currentThread().interrupt();
            throw fail(id, "interrupted", "");
        }
        EditProcess w = worker;
        if (!(event instanceof ReplyLines.Line)) {
            int code = event instanceof ReplyLines.End ? waitExit(w.process()) : -1;
            stopWorker();
            w.stderr().awaitEnd(1000);
            tail[0] = w.stderr().since(errStart);
            if (event == null) throw fail(id, "worker gave no reply within " + spec.timeout().toMillis() + " ms; killed the process tree (every process it started)", tail[0]);
            if (event instanceof ReplyLines.TooLong t) {
                throw fail(id, "worker printed a line longer than " + t.limit() + " bytes on stdout (a reply is one short JSON line); killed it", tail[0]);
            }
            throw fail(id, "worker crashed with exit code " + code + " before replying", tail[0]);
        }
        tail[0] = w.stderr().since(errStart);
        WorkerReply reply;
        try {
            reply = WorkerReply.parse(((ReplyLines.Line) event).text(), id);
        } catch (WorkerReply.ProtocolViolation v) {
            stopWorker();
            throw fail(id, v.getMessage(), tail[0]);
        }
        if (!reply.ok()) throw fail(id, "edit failed: " + reply.error(), tail[0]);
    }

    private void startWorker(String id) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("EDITGATE_MODE", "worker");
        EditProcess p = start(id, env, true);
        worker = p;
        workerLines = ReplyLines.read(p.process().getInputStream(), MAX_REPLY_LINE);
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
        if (worker != null) worker.kill();
        if (workerLines != null) workerLines.close();
        worker = null;
        workerLines = null;
    }

    private Checkpoint merge(Checkpoint original, Path out, String id) throws IOException {
        List<Path> files = limits.check(out);
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

    @Override
    public void close() {
        stopWorker();
        restShards.values().forEach(InputGuard::close);
        restShards.clear();
        guard.close();
        ScratchFolders.delete(scratch);
    }
}
