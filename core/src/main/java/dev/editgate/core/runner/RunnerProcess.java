package dev.editgate.core.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.CheckpointWriter;
import dev.editgate.core.checkpoint.FolderFingerprint;
import dev.editgate.core.external.EditProcess;
import dev.editgate.core.external.Executables;
import dev.editgate.core.external.InputGuard;
import dev.editgate.core.external.NoFollowFiles;
import dev.editgate.core.external.ReplyLines;
import dev.editgate.core.external.Sandbox;
import dev.editgate.core.external.ScratchFolders;
import dev.editgate.core.external.WorkerReply;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.SafetensorsFile;
import dev.editgate.core.safetensors.SafetensorsWriter;
import dev.editgate.core.safetensors.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A lab's runner (runner protocol 1, docs/runner-protocol.md) as a long-lived worker: started inside the
 * {@link Sandbox} like an external edit ({@link EditProcess}), its hello read and checked ({@link RunnerHello}),
 * then one request at a time. Arrays go out as {@code inputs.safetensors} in a read-only request folder and come
 * back as {@code result.safetensors} in an output folder. After every request the model folders it was handed
 * (the original's private copy, {@link InputGuard}, and every edited copy written with {@link #addModel}) and the
 * request folder are re-hashed; a change, a timeout (the process tree is killed), a crash, a malformed reply
 * ({@link WorkerReply}) or a malformed result is a {@link RunnerException} naming the command, the request and
 * what went wrong, with the stderr tail; the runner is restarted (and says hello again) for the next request.
 * Not thread-safe.
 */
public final class RunnerProcess implements AutoCloseable {
    /** The longest reply line accepted, in bytes. */
    public static final int MAX_REPLY_LINE = 1 << 20;
    /** The largest result file accepted. */
    public static final long MAX_RESULT_BYTES = 1L << 31;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunnerSpec spec;
    private final Sandbox sandbox;
    private final Path scratch;
    private final Path work;
    private final InputGuard original;
    private final Map<Path, FolderFingerprint> models = new LinkedHashMap<>();
    private EditProcess process;
    private ReplyLines lines;
    private RunnerHello hello;
    private int counter;
    private int requests;
    private String lastId = "";
    private int starts;

    private RunnerProcess(RunnerSpec spec, Path originalModel) {
        this.spec = spec;
        Executables.check("--runner command", spec.command().get(0), spec.workDir());
        this.sandbox = Sandbox.current();
        this.scratch = ScratchFolders.create("editgate-runner-");
        try {
            this.work = Files.createDirectory(scratch.resolve("work"));
            this.original = new InputGuard(originalModel, scratch);
        } catch (IOException | RuntimeException e) {
            ScratchFolders.delete(scratch);
            if (e instanceof IOException io) throw new UncheckedIOException("cannot prepare the runner's folders in " + scratch, io);
            throw (RuntimeException) e;
        }
    }

    /**
     * Copies {@code originalModel} into a private read-only folder, starts the runner and reads its hello.
     *
     * @throws IllegalArgumentException when the program does not exist (a setup error)
     * @throws RunnerException          when the runner does not start or says no valid hello in time
     */
    public static RunnerProcess start(RunnerSpec spec, Path originalModel) {
        RunnerProcess r = new RunnerProcess(spec, originalModel);
        try {
            r.ensureStarted("hello");
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    public RunnerHello hello() { return hello; }

    public RunnerSpec spec() { return spec; }

    public Sandbox sandbox() { return sandbox; }

    /** The folder handed to the runner as the original model (a guarded private copy). */
    public Path originalFolder() { return original.folder(); }

    /** How many times the runner was started (1, plus one per restart after a failed request). */
    public int starts() { return starts; }

    /** How many requests were sent. */
    public int requests() { return requests; }

    /**
     * Writes {@code checkpoint} as a read-only model folder the runner may be asked about (config and tokenizer
     * from the original), fingerprinted so that every later request verifies it.
     */
    public Path addModel(String label, Checkpoint checkpoint) {
        Path folder = scratch.resolve("model-" + label);
        if (models.containsKey(folder)) removeModel(folder);
        CheckpointWriter.write(checkpoint, folder, original.folder(), Map.of("format", "pt", "writer", "editgate harness"));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(folder)) {
            for (Path f : s) NoFollowFiles.makeReadOnly(f);
            NoFollowFiles.makeReadOnly(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + folder + " read-only", e);
        }
        models.put(folder, FolderFingerprint.of(folder));
        return folder;
    }

    /** Deletes a folder made by {@link #addModel}. */
    public void removeModel(Path folder) {
        if (models.remove(folder) != null) NoFollowFiles.tryDeleteTree(folder);
    }

    // ------------------------------------------------------------------ the four operations

    /** Logits {@code [B, T, V]} of a batch of equal-length sequences. */
    public Logits logits(Path model, int[][] ids, int vocab) {
        Map<String, Tensor> out = call("logits", model, Map.of("ids", ids), req -> { });
        return logitsOf(out, "logits", ids.length, ids[0].length, vocab);
    }

    /** A tokenizing runner's ids and logits for text prompts ({@code tokenizes} in its hello). */
    public List<PromptLogits> logitsOfPrompts(Path model, List<String> prompts, int vocab) {
        if (!hello.tokenizes()) throw new RunnerException("runner `" + spec.display() + "` does not tokenize (its hello says \"tokenizes\": false)");
        Map<String, Tensor> out = call("logits", model, Map.of(), req -> {
            ArrayNode a = req.putArray("prompts");
            prompts.forEach(a::add);
        });
        if (out.size() != 2 * prompts.size()) {
            throw new RunnerException(prefix(lastId) + "result.safetensors holds " + out.keySet() + "; expected ids.i and logits.i for i < " + prompts.size());
        }
        List<PromptLogits> result = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            Tensor ids = out.get("ids." + i);
            Tensor logits = out.get("logits." + i);
            if (ids == null || logits == null) throw new RunnerException(prefix(lastId) + "result.safetensors lacks ids." + i + " or logits." + i + " (it holds " + out.keySet() + ")");
            if (ids.dtype() != DType.I64 || ids.rank() != 1 || ids.dim(0) < 1) {
                throw new RunnerException(prefix(lastId) + "result 'ids." + i + "' must be a non-empty I64 [T], got " + ids.dtype() + " " + Arrays.toString(ids.shape()));
            }
            int t = ids.dim(0);
            if (!Arrays.equals(logits.shape(), new long[] {t, vocab}) || !logits.dtype().isFloating()) {
                throw new RunnerException(prefix(lastId) + "result 'logits." + i + "' has " + logits.dtype() + " " + Arrays.toString(logits.shape())
                        + ", expected floating [" + t + ", " + vocab + "]");
            }
            int[] row = new int[t];
            for (int j = 0; j < t; j++) row[j] = Math.toIntExact(ids.data().getLong(j * 8));
            result.add(new PromptLogits(row, new Logits(1, t, vocab, logits.toDoubleArray())));
        }
        return result;
    }

    /** The runner's {@code n} greedy new tokens after each sequence, {@code [B, n]}. */
    public int[][] generate(Path model, int[][] ids, int n) {
        Map<String, Tensor> out = call("generate", model, Map.of("ids", ids), req -> req.put("n", n));
        Tensor t = expect(out, "tokens", new long[] {ids.length, n});
        if (t.dtype() != DType.I64) throw new RunnerException(prefix(lastId) + "result 'tokens' has dtype " + t.dtype() + ", expected I64");
        int[][] tokens = new int[ids.length][n];
        ByteBuffer b = t.data();
        for (int i = 0; i < ids.length; i++) for (int j = 0; j < n; j++) tokens[i][j] = Math.toIntExact(b.getLong((i * n + j) * 8));
        return tokens;
    }

    /** Logits of {@code corrupt} with the heads' activations at {@code layer} taken from {@code clean}, as the runner patches. */
    public Logits patchHeads(Path model, int[][] clean, int[][] corrupt, int layer, int[] heads, int vocab) {
        Map<String, int[][]> in = new LinkedHashMap<>();
        in.put("clean", clean);
        in.put("corrupt", corrupt);
        Map<String, Tensor> out = call("patch_heads", model, in, req -> layerAndHeads(req, layer, heads));
        return logitsOf(out, "logits", corrupt.length, corrupt[0].length, vocab);
    }

    /** Logits with the heads' activations at {@code layer} zeroed, as the runner ablates. */
    public Logits ablateHeads(Path model, int[][] ids, int layer, int[] heads, int vocab) {
        Map<String, Tensor> out = call("ablate_heads", model, Map.of("ids", ids), req -> layerAndHeads(req, layer, heads));
        return logitsOf(out, "logits", ids.length, ids[0].length, vocab);
    }

    private static void layerAndHeads(ObjectNode req, int layer, int[] heads) {
        req.put("layer", layer);
        ArrayNode a = req.putArray("heads");
        for (int h : heads) a.add(h);
    }

    // ------------------------------------------------------------------ one request

    private String prefix(String id) {
        return "runner `" + spec.display() + "` request " + id + ": ";
    }

    private Map<String, Tensor> call(String op, Path model, Map<String, int[][]> inputs, Consumer<ObjectNode> fields) {
        if (!hello.can(op)) throw new RunnerException("runner `" + spec.display() + "` cannot " + op + " (its capabilities: " + hello.capabilities() + ")");
        if (!model.equals(original.folder()) && !models.containsKey(model)) throw new IllegalArgumentException("unknown model folder " + model);
        String id = "r" + (++counter) + "-" + op;
        lastId = id;
        requests++;
        Path in = scratch.resolve("in-" + id);
        Path out = work.resolve("out-" + id);
        String tail = "";
        try {
            Files.createDirectory(in);
            List<Tensor> tensors = new ArrayList<>();
            inputs.forEach((name, ids) -> tensors.add(ids(name, ids)));
            if (!tensors.isEmpty()) {
                SafetensorsWriter.write(in.resolve("inputs.safetensors"), tensors, Map.of("writer", "editgate harness"));
                NoFollowFiles.makeReadOnly(in.resolve("inputs.safetensors"));
            }
            NoFollowFiles.makeReadOnly(in);
            FolderFingerprint inPrint = FolderFingerprint.of(in);
            Files.createDirectory(out);
            ObjectNode req = JSON.createObjectNode();
            req.put("protocol", RunnerHello.PROTOCOL).put("id", id).put("op", op).put("model", model.toString())
                    .put("input", in.toString()).put("output", out.toString());
            fields.accept(req);
            ensureStarted(id);
            long mark = process.stderr().mark();
            try {
                awaitReply(id, JSON.writeValueAsString(req));
            } finally {
                tail = process == null ? tail : process.stderr().since(mark);
            }
            verifyInputs(id, inPrint);
            return readResult(id, out);
        } catch (RunnerException e) {
            String msg = e.getMessage().startsWith("runner `") ? e.getMessage() : prefix(id) + e.getMessage();
            if (tail != null && !tail.isBlank() && !msg.contains("--- stderr")) msg += "\n--- stderr (tail) ---\n" + tail.strip();
            throw new RunnerException(msg);
        } catch (IOException e) {
            throw new UncheckedIOException(prefix(id) + "I/O error: " + e.getMessage(), e);
        } finally {
            NoFollowFiles.tryDeleteTree(in);
            NoFollowFiles.tryDeleteTree(out);
        }
    }

    private static Tensor ids(String name, int[][] ids) {
        if (ids.length == 0 || ids[0].length == 0) throw new IllegalArgumentException(name + ": empty batch");
        int t = ids[0].length;
        ByteBuffer b = ByteBuffer.allocateDirect(ids.length * t * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] row : ids) {
            if (row.length != t) throw new IllegalArgumentException(name + ": sequences of different lengths in one batch");
            for (int v : row) b.putLong(v);
        }
        b.flip();
        return new Tensor(name, DType.I64, new long[] {ids.length, t}, b);
    }

    private void awaitReply(String id, String line) {
        try {
            OutputStream os = process.process().getOutputStream();
            os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            os.flush();
        } catch (IOException e) {
            String tail = stop();
            throw new RunnerException(prefix(id) + "the runner died before taking the request (" + e.getMessage() + ")" + stderr(tail));
        }
        String reply = nextLine(id, "reply");
        WorkerReply r;
        try {
            r = WorkerReply.parse(reply, id);
        } catch (WorkerReply.ProtocolViolation v) {
            String tail = stop();
            throw new RunnerException(prefix(id) + v.getMessage() + stderr(tail));
        }
        if (!r.ok()) throw new RunnerException(prefix(id) + "the runner failed: " + r.error());
    }

    /** The next stdout line, or a RunnerException (and a stopped runner) on timeout, exit or an overlong line. */
    private String nextLine(String id, String what) {
        ReplyLines.Event event;
        try {
            event = lines.poll(spec.timeout().toMillis());
        } catch (InterruptedException e) {
            stop();
            Thread.currentThread().interrupt();
            throw new RunnerException(prefix(id) + "interrupted");
        }
        if (event instanceof ReplyLines.Line l) return l.text();
        Process p = process.process();
        String tail = stop();
        if (event == null) {
            throw new RunnerException(prefix(id) + "no " + what + " within " + spec.timeout().toMillis()
                    + " ms; killed the process tree (every process it started)" + stderr(tail));
        }
        if (event instanceof ReplyLines.TooLong t) {
            throw new RunnerException(prefix(id) + "the runner printed a line longer than " + t.limit() + " bytes on stdout; killed it" + stderr(tail));
        }
        String code = p.isAlive() ? "?" : Integer.toString(p.exitValue());
        throw new RunnerException(prefix(id) + "the runner exited (code " + code + ") before its " + what + stderr(tail));
    }

    private static String stderr(String tail) {
        return tail == null || tail.isBlank() ? "" : "\n--- stderr (tail) ---\n" + tail.strip();
    }

    private void ensureStarted(String id) {
        if (process != null && process.process().isAlive()) return;
        stop();
        try {
            process = EditProcess.start(sandbox, spec.command(), spec.workDir(), work, Map.of("EDITGATE_MODE", "runner"), true);
        } catch (IOException e) {
            throw new RunnerException(prefix(id) + "cannot start: " + e.getMessage());
        }
        lines = ReplyLines.read(process.process().getInputStream(), MAX_REPLY_LINE);
        starts++;
        String line = nextLine(id, "hello line");
        RunnerHello h;
        try {
            h = RunnerHello.parse(line);
        } catch (RunnerException e) {
            String tail = stop();
            throw new RunnerException(prefix(id) + e.getMessage() + stderr(tail));
        }
        if (hello != null && !hello.equals(h)) {
            stop();
            throw new RunnerException(prefix(id) + "the restarted runner's hello " + h + " differs from its first " + hello);
        }
        hello = h;
    }

    /** Kills the runner (if running) and returns its stderr tail. */
    private String stop() {
        if (process == null) return "";
        EditProcess p = process;
        p.kill();
        p.stderr().awaitEnd(1000);
        if (lines != null) lines.close();
        process = null;
        lines = null;
        return p.stderr().since(0);
    }

    private void verifyInputs(String id, FolderFingerprint request) {
        try {
            original.verify();
        } catch (RuntimeException e) {
            stop();
            original.restore();
            throw new RunnerException(prefix(id) + e.getMessage().replace("edit modified its input", "runner modified its input"));
        }
        for (Map.Entry<Path, FolderFingerprint> m : new ArrayList<>(models.entrySet())) {
            String changed = NoFollowFiles.isRealDirectory(m.getKey()) ? m.getValue().changed().orElse(null) : m.getKey() + " was replaced";
            if (changed != null) {
                stop();
                removeModel(m.getKey());
                throw new RunnerException(prefix(id) + "runner modified its input: " + changed);
            }
        }
        request.changed().ifPresent(c -> {
            stop();
            throw new RunnerException(prefix(id) + "runner modified its input: " + c);
        });
    }

    private Map<String, Tensor> readResult(String id, Path out) throws IOException {
        if (!NoFollowFiles.isRealDirectory(out)) throw new RunnerException(prefix(id) + "the output folder was replaced: it is now " + NoFollowFiles.kind(out));
        Path result = out.resolve("result.safetensors");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out)) {
            for (Path e : s) {
                if (!e.equals(result)) throw new RunnerException(prefix(id) + "unexpected " + NoFollowFiles.kind(e) + " " + e.getFileName() + " in the output folder (only result.safetensors belongs there)");
            }
        }
        if (!NoFollowFiles.isRegularFile(result)) throw new RunnerException(prefix(id) + "missing output: no result.safetensors in " + out);
        if (Files.size(result) > MAX_RESULT_BYTES) throw new RunnerException(prefix(id) + "result.safetensors is larger than " + MAX_RESULT_BYTES + " bytes");
        SafetensorsFile sf;
        try {
            sf = SafetensorsFile.open(result);
        } catch (RuntimeException e) {
            throw new RunnerException(prefix(id) + "result.safetensors is not readable safetensors: " + e.getMessage());
        }
        Map<String, Tensor> copies = new LinkedHashMap<>();
        for (Tensor t : sf.tensors().values()) { // heap copies: the output folder is deleted right after
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
            b.put(t.data()).flip();
            copies.put(t.name(), new Tensor(t.name(), t.dtype(), t.shape(), b));
        }
        return copies;
    }

    private Tensor expect(Map<String, Tensor> out, String name, long[] shape) {
        Tensor t = out.get(name);
        if (t == null) throw new RunnerException(prefix(lastId) + "result.safetensors lacks '" + name + "' (it holds " + out.keySet() + ")");
        if (!Arrays.equals(t.shape(), shape)) {
            throw new RunnerException(prefix(lastId) + "result '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        if (out.size() != 1) throw new RunnerException(prefix(lastId) + "result.safetensors holds " + out.keySet() + "; expected only '" + name + "'");
        return t;
    }

    private Logits logitsOf(Map<String, Tensor> out, String name, int batch, int seq, int vocab) {
        Tensor t = expect(out, name, new long[] {batch, seq, vocab});
        if (!t.dtype().isFloating()) throw new RunnerException(prefix(lastId) + "result '" + name + "' has dtype " + t.dtype() + ", expected F64, F32, F16 or BF16");
        return new Logits(batch, seq, vocab, t.toDoubleArray());
    }

    @Override
    public void close() {
        stop();
        original.close();
        ScratchFolders.delete(scratch);
    }
}
