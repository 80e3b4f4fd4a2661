package dev.editgate.gate.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.editgate.core.forward.Projection;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.GroupedHeads;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.external.ExternalEditSpec;
import dev.editgate.core.external.ExternalHeadPermutationEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.ResidualCache;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.model.ModelConfig;
import dev.editgate.core.model.TensorRole;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import dev.editgate.core.tokenize.Generation;
import dev.editgate.gate.Gate;
import dev.editgate.gate.GateListener;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.StageReport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code editgate bench}: where a gate run's time goes on one model, measured in this run on this machine. Not a
 * test: it prints numbers, one labelled line each, and always exits 0 unless the model cannot be loaded.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures, on one model: load time and bandwidth against a plain read of the same bytes, the",
                "structural stage's cost per trial, a functional trial with and without the prefix (residual) cache, forward",
                "tokens/s and GFLOP/s against the GEMM rate of the same engine, greedy decoding with and without the KV cache,",
                "and a whole gate run (small --tries) split by stage. A benchmark, not a test: numbers vary between runs."})
final class BenchCommand implements Callable<Integer> {
    @Mixin ModelOptions model;

    @Option(names = "--layer", paramLabel = "L", description = "Layer whose heads are permuted (default: the middle layer).")
    Integer layer;

    @Option(names = "--dtype", paramLabel = "D", defaultValue = "fp32", description = "Compute dtype: fp64, fp32 or fp16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = dev.editgate.core.device.Devices.DEFAULT,
            description = "cpu, gpu or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--trials", paramLabel = "N", defaultValue = "10", description = "Trials per micro-benchmark (default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(names = "--tries", paramLabel = "N", defaultValue = "5", description = "Tries per property of the whole-gate run (default: ${DEFAULT-VALUE}).")
    int tries;

    @Option(names = "--seq", paramLabel = "T", defaultValue = "16", description = "Tokens per benchmark prompt (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--no-gate", description = "Skip the whole-gate run.")
    boolean noGate;

    @Option(names = "--edit-command", paramLabel = "CMD",
            description = {"Also time this external edit command (as gate's --edit-command) per structural trial, as a worker",
                    "and one-shot, against the built-in edit, e.g. \"python3 python/examples/numpy_head_permutation.py\"."})
    String editCommand;

    private static final int PROMPTS = 5;
    private static final int GREEDY_TOKENS = 20;
    /** Prompt lengths of the batched comparison, as fractions of --seq (the built-in prompts vary about as much). */
    private static final double[] RAGGED = {0.7, 1.0, 0.35, 0.8, 0.6};

    @Override
    public Integer call() {
        if (trials < 1) throw new IllegalArgumentException("--trials must be >= 1, got " + trials);
        if (tries < 1) throw new IllegalArgumentException("--tries must be >= 1, got " + tries);
        if (seq < 1) throw new IllegalArgumentException("--seq must be >= 1, got " + seq);
        PrintStream out = System.out;
        ComputeDtype dt = ComputeDtype.parse(dtype);
        Path folder = model.folder();

        long t0 = System.nanoTime();
        Checkpoint ck = Checkpoint.load(folder);
        ModelConfig c = ck.config();
        int l = layer != null ? layer : c.numHiddenLayers() / 2;
        if (l < 0 || l >= c.numHiddenLayers()) {
            throw new IllegalArgumentException("--layer " + l + " is out of range 0.." + (c.numHiddenLayers() - 1));
        }
        out.printf("editgate bench: %s (%s), layer %d, %s, %s threads%n", model.model, c.summary(), l, dt,
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        try (TransformerForward f = TransformerForward.load(ck, dt, device)) {
            double loadS = seconds(t0);
            long bytes = weightBytes(folder);
            double readS = plainRead(folder);
            out.printf("load: checkpoint + %s upload to %s in %.3f s, %.1f MB of safetensors (%.0f MB/s)%n", dt,
                    dev.editgate.core.device.Devices.display(f.deviceName()), loadS, bytes / 1e6, bytes / 1e6 / loadS);
            out.printf("plain read: the same bytes read into memory in %.3f s (%.0f MB/s): load is %.1fx a plain read%n",
                    readS, bytes / 1e6 / readS, loadS / readS);

            Random random = new Random(1);
            List<Permutation> perms = new ArrayList<>();
            for (int i = 0; i < trials; i++) perms.add(GroupedHeads.random(c.numAttentionHeads(), c.groupSize(), random));
            structural(out, ck, l, perms);
            if (editCommand != null) external(out, ck, folder, l, perms);

            int vocab = Math.min(c.vocabSize(), 50_000);
            int[][][] prompts = new int[PROMPTS][][];
            for (int i = 0; i < PROMPTS; i++) prompts[i] = new int[][] {random.ints(seq, 0, vocab).toArray()};
            functional(out, f, ck, l, perms, prompts);
            int[][] ragged = new int[PROMPTS][];
            for (int i = 0; i < PROMPTS; i++) ragged[i] = random.ints(Math.max(1, (int) Math.round(seq * RAGGED[i])), 0, vocab).toArray();
            functionalBatched(out, f, ck, l, perms, ragged);
            functionalWorkers(out, f, ck, l, perms, ragged);
            forwardRate(out, f, ck, vocab);
            greedy(out, f, prompts[0][0]);
        }
        if (!noGate) gate(out, l);
        return EditgateCli.EXIT_PASS;
    }

    /**
     * One trial of the structural stage's core: the built-in edit and the head-block comparison. The first pass gets
     * new memory for every edited tensor (as a gate run does while it keeps each trial's edit for later properties);
     * the later passes find memory the collector has handed back. The memory line says what that difference costs here.
     */
    private void structural(PrintStream out, Checkpoint ck, int l, List<Permutation> perms) {
        HeadBlockCorrespondence.compute(ck, ck, l);                      // the original's blocks, once per run
        for (Permutation p : perms) {                                     // warm-up (JIT), as a gate run's later trials are
            HeadBlockCorrespondence.compute(ck, BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, l, p), l, p);
        }
        long[] first = structuralPass(ck, l, perms);
        long[] reused = structuralPass(ck, l, perms);
        for (int pass = 0; pass < 3; pass++) {
            long[] again = structuralPass(ck, l, perms);
            if (again[0] + again[1] < reused[0] + reused[1]) reused = again;
        }
        int n = perms.size();
        out.printf("structural: %.2f ms/trial (built-in edit %.2f ms + block check %.2f ms) over %d trials in new memory;"
                        + " %.2f ms/trial (%.2f + %.2f) once memory is reused (best of 4 more passes)%n",
                (first[0] + first[1]) / 1e6 / n, first[0] / 1e6 / n, first[1] / 1e6 / n, n,
                (reused[0] + reused[1]) / 1e6 / n, reused[0] / 1e6 / n, reused[1] / 1e6 / n);
        memory(out, BuiltInHeadPermutation.touchedTensors(ck, l).stream().mapToLong(t -> ck.tensor(t).byteSize()).sum());
    }

    /** {edit ns, check ns} summed over one structural trial per permutation. */
    private static long[] structuralPass(Checkpoint ck, int l, List<Permutation> perms) {
        long edit = 0, check = 0;
        for (Permutation p : perms) {
            long a = System.nanoTime();
            Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, l, p);
            long b = System.nanoTime();
            if (!HeadBlockCorrespondence.compute(ck, edited, l, p).consistentWith(p)) {
                throw new IllegalStateException("the built-in edit is not consistent with " + p.toCycleString());
            }
            check += System.nanoTime() - b;
            edit += b - a;
        }
        return new long[] {edit, check};
    }

    /**
     * Writing {@code trialBytes} (one trial's edited tensors) into memory the process touches for the first time
     * against memory it wrote before: page faults and zeroing, which some VMs make many times dearer than the copy.
     */
    private static void memory(PrintStream out, long trialBytes) {
        int size = 64 << 20;
        byte[] src = new byte[size];
        long a = System.nanoTime();
        java.nio.ByteBuffer fresh = java.nio.ByteBuffer.allocateDirect(size);     // zero-filled: the first touch
        fresh.put(src).flip();
        long b = System.nanoTime();
        fresh.clear();
        fresh.put(src).flip();
        long c = System.nanoTime();
        double mb = size / 1e6, newMs = (b - a) / 1e6 / mb, reusedMs = (c - b) / 1e6 / mb;
        out.printf("memory: writing new pages %.3f ms/MB, pages written before %.3f ms/MB; a trial's edited tensors (%.1f MB)"
                + " cost %.2f ms in new memory, %.2f ms in reused%n", newMs, reusedMs, trialBytes / 1e6, newMs * trialBytes / 1e6, reusedMs * trialBytes / 1e6);
    }

    /**
     * Structural trials (edit plus block check) with {@link #editCommand} as a long-lived worker and run once per trial,
     * after one untimed warm-up call each (the worker's start, the first import), against the built-in edit's trials.
     */
    private void external(PrintStream out, Checkpoint ck, Path folder, int l, List<Permutation> perms) {
        double builtIn = structuralSeconds(BuiltInHeadPermutation.INSTANCE, ck, l, perms);
        for (ExternalEditSpec.Mode mode : ExternalEditSpec.Mode.values()) {
            ExternalEditSpec spec = ExternalEditSpec.parse(editCommand, mode, java.time.Duration.ofSeconds(300), Path.of("").toAbsolutePath());
            try (ExternalHeadPermutationEdit ext = ExternalHeadPermutationEdit.of(spec, folder)) {
                // the warm-up call is the gate's own preflight: a command that cannot start or answer stops the bench with exit 2
                dev.editgate.gate.setup.EditCommandPreflight.identityAnswered(ext, ck, l);
                double s;
                try {
                    s = structuralSeconds(ext, ck, l, perms);
                } catch (dev.editgate.core.external.ExternalEditException e) {
                    throw new dev.editgate.gate.setup.SetupException("--edit-command `" + editCommand + "` failed during the "
                            + (mode == ExternalEditSpec.Mode.WORKER ? "worker" : "one-shot") + " benchmark, so it cannot be timed:\n" + e.getMessage(), e);
                }
                out.printf("external %s: %.2f trials/s (%.1f ms/trial), the built-in edit %.2f trials/s (%.1f ms/trial): %.1fx the built-in's time%n",
                        mode == ExternalEditSpec.Mode.WORKER ? "worker" : "one-shot", perms.size() / s, s * 1e3 / perms.size(),
                        perms.size() / builtIn, builtIn * 1e3 / perms.size(), s / builtIn);
            }
        }
    }

    /** Seconds for one structural trial per permutation: the edit and the head-block check. */
    private static double structuralSeconds(HeadPermutationEdit edit, Checkpoint ck, int l, List<Permutation> perms) {
        long t0 = System.nanoTime();
        for (Permutation p : perms) {
            if (!HeadBlockCorrespondence.compute(ck, edit.permuteHeads(ck, l, p), l, p).consistentWith(p)) {
                throw new IllegalStateException("the edit is not consistent with " + p.toCycleString());
            }
        }
        return seconds(t0);
    }

    /** A functional trial: edit, upload the edited layer, logits of every prompt; from layer 0 and from the cached residuals. */
    private void functional(PrintStream out, TransformerForward f, Checkpoint ck, int l, List<Permutation> perms, int[][][] prompts) {
        List<ResidualCache> residuals = new ArrayList<>();
        for (int[][] p : prompts) residuals.add(f.residuals(p));
        double full = median(() -> { for (int[][] p : prompts) f.logits(p); }, 3);
        long without = 0, with = 0;
        for (Permutation p : perms) {
            Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, l, p);
            long a = System.nanoTime();
            try (TransformerForward v = f.withLayerReplaced(l, edited)) {
                for (int[][] prompt : prompts) v.logits(prompt);
            }
            long b = System.nanoTime();
            try (TransformerForward v = f.withLayerReplaced(l, edited)) {
                for (int i = 0; i < prompts.length; i++) v.logitsFrom(l, residuals.get(i));
            }
            with += System.nanoTime() - b;
            without += b - a;
        }
        int n = perms.size();
        double withMs = with / 1e6 / n;
        out.printf("functional: %.1f ms/trial with the prefix cache (logitsFrom layer %d), %.1f ms/trial without it, "
                        + "%d prompts x %d tokens; a full forward of the prompts %.1f ms (with the cache: %.2fx of it)%n",
                withMs, l, without / 1e6 / n, prompts.length, seq, full * 1e3, withMs / (full * 1e3));
    }

    /**
     * The functional stage's two per-trial checks on prompts of different lengths, old way against new, interleaved
     * (A, B, B, A, ...) so that machine load hits both alike: logits of each prompt from its own residual cache
     * against one right-padded batch ({@code logitsOfEachFrom}); the edited layer's output traced from layer 0 against
     * run from the cached residual entering it ({@code layerOutputFrom}).
     */
    private void functionalBatched(PrintStream out, TransformerForward f, Checkpoint ck, int l, List<Permutation> perms, int[][] prompts) {
        List<ResidualCache> each = new ArrayList<>();
        for (int[] p : prompts) each.add(f.residuals(new int[][] {p}));
        ResidualCache padded = f.residuals(prompts);
        long oneByOne = 0, batched = 0, traced = 0, fromCache = 0;
        for (int t = 0; t < perms.size(); t++) {
            Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, l, perms.get(t));
            try (TransformerForward v = f.withLayerReplaced(l, edited)) {
                for (int k = 0; k < 2; k++) {
                    boolean oldFirst = (t + k) % 2 == 0;
                    for (int side = 0; side < 2; side++) {
                        long a = System.nanoTime();
                        if ((side == 0) == oldFirst) {
                            for (ResidualCache c : each) v.logitsFrom(l, c);
                            oneByOne += System.nanoTime() - a;
                        } else {
                            v.logitsOfEachFrom(l, padded);
                            batched += System.nanoTime() - a;
                        }
                    }
                    for (int side = 0; side < 2; side++) {
                        long a = System.nanoTime();
                        if ((side == 0) == oldFirst) {
                            for (int[] p : prompts) v.trace(new int[][] {p}, l);
                            traced += System.nanoTime() - a;
                        } else {
                            for (ResidualCache c : each) v.layerOutputFrom(l, c);
                            fromCache += System.nanoTime() - a;
                        }
                    }
                }
            }
        }
        int n = 2 * perms.size();
        int tokens = java.util.Arrays.stream(prompts).mapToInt(p -> p.length).sum();
        int longest = java.util.Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow();
        out.printf("functional logits, %d prompts of %s tokens (%d real, %d padded): one by one %.1f ms/trial, one padded batch %.1f ms/trial (%.2fx)%n",
                prompts.length, java.util.Arrays.toString(java.util.Arrays.stream(prompts).mapToInt(p -> p.length).toArray()),
                tokens, prompts.length * longest, oneByOne / 1e6 / n, batched / 1e6 / n, (double) batched / oneByOne);
        out.printf("functional layer-local: traced from layer 0 %.1f ms/trial, layer %d alone from the cached residual %.1f ms/trial (%.2fx)%n",
                traced / 1e6 / n, l, fromCache / 1e6 / n, (double) fromCache / traced);
        functionalRate(out, f, ck, l, prompts, batched / 1e9 / n);
    }

    /**
     * The gate's functional trial (the padded batch from layer {@code l}, {@code trialS} seconds) as GFLOP/s against the
     * GEMM rate of the same engine, and against a full forward of the same padded batch from layer 0.
     */
    private void functionalRate(PrintStream out, TransformerForward f, Checkpoint ck, int l, int[][] prompts, double trialS) {
        ModelConfig c = ck.config();
        int real = java.util.Arrays.stream(prompts).mapToInt(p -> p.length).sum();
        int longest = java.util.Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow();
        long padded = (long) prompts.length * longest;
        long unembed = ck.unembedding().numel();
        double perLayer = (double) (gemmWeights(ck) - unembed) / c.numHiddenLayers();
        double attention = 4.0 * longest * c.numAttentionHeads() * c.headDim();          // q·kᵀ and p·v per token
        double flops = (c.numHiddenLayers() - l) * padded * (2.0 * perLayer + attention) + 2.0 * real * unembed;
        double gemm = gemmRate(f.dtype(), c.hiddenSize());
        double fullFlops = c.numHiddenLayers() * padded * (2.0 * perLayer + attention) + 2.0 * real * unembed;
        f.logitsOfEach(prompts);
        double full = median(() -> f.logitsOfEach(prompts), 3);
        out.printf("functional trial: %.2f GFLOP in %.1f ms (layers %d-%d on %d padded tokens, unembedding of %d): %.2f GFLOP/s, %.0f%% of the"
                        + " GEMM rate %.2f; a full forward of the same batch %.1f ms: the trial takes %.2fx its time for %.2fx its arithmetic%n",
                flops / 1e9, trialS * 1e3, l, c.numHiddenLayers() - 1, padded, real, flops / trialS / 1e9, 100 * flops / trialS / 1e9 / gemm, gemm,
                full * 1e3, trialS / full, flops / fullFlops);
    }

    /**
     * Independent functional trials (edit, edited-layer upload, logits of the padded prompt batch, layer-local output)
     * on one thread against two worker threads, interleaved; PyTorch's intra-op threads stay as configured
     * ({@code ai.djl.pytorch.num_threads}), so compare this line across runs with 1 and 2 intra-op threads. Also says
     * whether both ways computed bit-identical logits.
     */
    private void functionalWorkers(PrintStream out, TransformerForward f, Checkpoint ck, int l, List<Permutation> perms, int[][] prompts) {
        ResidualCache padded = f.residuals(prompts);
        java.util.function.Function<Permutation, double[]> trial = p -> {
            Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, l, p);
            try (TransformerForward v = f.withLayerReplaced(l, edited)) {
                v.layerOutputFrom(l, padded);
                return v.logitsOfEachFrom(l, padded).get(0).values();
            }
        };
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "editgate-bench-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            long one = 0, two = 0;
            boolean same = true;
            List<double[]> firstResults = null;
            for (int round = 0; round < 2; round++) {
                for (int side = 0; side < 2; side++) {
                    long a = System.nanoTime();
                    List<double[]> results = new ArrayList<>();
                    if ((side + round) % 2 == 0) {
                        for (Permutation p : perms) results.add(trial.apply(p));
                        one += System.nanoTime() - a;
                    } else {
                        List<java.util.concurrent.Future<double[]>> futures = new ArrayList<>();
                        for (Permutation p : perms) futures.add(pool.submit(() -> trial.apply(p)));
                        for (var fu : futures) results.add(fu.get());
                        two += System.nanoTime() - a;
                    }
                    if (round + side > 0) same &= java.util.Arrays.deepEquals(results.toArray(), firstResults.toArray());
                    else firstResults = results;
                }
            }
            int n = 2 * perms.size();
            out.printf("functional trials, %s intra-op threads: one worker %.1f ms/trial, two workers %.1f ms/trial (%.2fx); "
                            + "bit-identical logits: %s%n", System.getProperty("ai.djl.pytorch.num_threads", "default"),
                    one / 1e6 / n, two / 1e6 / n, (double) two / one, same ? "yes" : "NO");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a worker's trial failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Forward tokens/s and GFLOP/s (the GEMMs of the weights and the attention) against one large GEMM's rate. */
    private void forwardRate(PrintStream out, TransformerForward f, Checkpoint ck, int vocab) {
        ModelConfig c = ck.config();
        int[][] batch = new int[8][];
        Random r = new Random(2);
        for (int i = 0; i < batch.length; i++) batch[i] = r.ints(seq, 0, vocab).toArray();
        f.logits(batch);
        double s = median(() -> f.logits(batch), 3);
        double tokens = (double) batch.length * seq;
        double flopsPerToken = 2.0 * gemmWeights(ck) + c.numHiddenLayers() * 4.0 * seq * c.numAttentionHeads() * c.headDim();
        double gflops = tokens * flopsPerToken / s / 1e9;
        double gemm = gemmRate(f.dtype(), c.hiddenSize());
        out.printf("forward: %.0f tokens/s (batch %d x %d tokens, %.3f s), %.2f GFLOP/s%n", tokens / s, batch.length, seq, s, gflops);
        out.printf("GEMM: linear [256 x %d] x [%d x %d] %s%s: %.2f GFLOP/s; the forward runs at %.0f%% of it%n",
                c.hiddenSize(), c.hiddenSize(), c.hiddenSize(), f.dtype(),
                f.dtype() == ComputeDtype.FLOAT16 ? " (fp16 values, fp32 accumulation, as the forward multiplies)" : "", gemm, 100 * gflops / gemm);
    }

    private void greedy(PrintStream out, TransformerForward f, int[] prompt) {
        int n = Math.min(GREEDY_TOKENS, f.config().maxPositionEmbeddings() - prompt.length);
        double cached = median(() -> Generation.greedy(f, prompt, n), 3);
        double full = median(() -> Generation.greedyWithoutCache(f, prompt, n), 1);
        out.printf("greedy: %d tokens after %d in %.1f ms with the KV cache, %.1f ms without it (%.1fx)%n",
                n, prompt.length, cached * 1e3, full * 1e3, full / cached);
    }

    private void gate(PrintStream out, int l) {
        Path reportDir;
        try {
            reportDir = Files.createTempDirectory("editgate-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary report folder for the gate run", e);
        }
        Map<GateKey, String> cli = new EnumMap<>(GateKey.class);
        cli.put(GateKey.MODEL, model.model);
        if (model.revision != null) cli.put(GateKey.REVISION, model.revision);
        cli.put(GateKey.LAYER, Integer.toString(l));
        cli.put(GateKey.DTYPE, dtype);
        cli.put(GateKey.DEVICE, device);
        cli.put(GateKey.TRIES, Integer.toString(tries));
        cli.put(GateKey.SEED, "1");
        cli.put(GateKey.REPORT, reportDir.toString());
        GateConfig config = GateConfig.resolve(cli, new Properties());
        long t0 = System.nanoTime();
        GateReport report = new Gate(config, GateListener.NONE).run();
        double total = seconds(t0);
        out.printf("gate: %s in %.1f s with --tries %d (edit calls: %s)%n", report.verdict(), total, tries,
                report.run().editCalls() == null ? "n/a" : report.run().editCalls().summary());
        for (StageReport s : report.stages()) {
            long trials = s.properties().stream().mapToLong(p -> p.tries()).sum();
            out.printf("gate stage %-12s %-8s %8.2f s  %4d trials%s%n", s.name(), s.status(), s.elapsed().toNanos() / 1e9, trials,
                    trials > 0 ? String.format("  %.1f ms/trial", s.elapsed().toNanos() / 1e6 / trials) : "");
        }
        dev.editgate.core.external.NoFollowFiles.tryDeleteTree(reportDir);
    }

    // ------------------------------------------------------------------ helpers

    /** Elements of every matrix a forward multiplies by per token: the layers' 2-D weights and the unembedding. */
    static long gemmWeights(Checkpoint ck) {
        var layout = ck.layout();
        String embed = layout.name(TensorRole.EMBED);
        String unembed = layout.unembedding();
        long sum = ck.unembedding().numel();
        for (Tensor t : ck.tensors().values()) {
            String n = t.name();
            if (t.rank() != 2 || n.equals(embed) || n.equals(unembed) || layout.architecture().isBuffer(n)) continue;
            if (ck.config().positions() == dev.editgate.core.model.PositionKind.LEARNED && n.equals(layout.name(TensorRole.POSITION_EMBED))) continue;
            sum += t.numel();
        }
        return sum;
    }

    /** GFLOP/s of one projection [256 x d] x [d x d] as the forward runs it in {@code dtype} (see {@link Projection}). */
    static double gemmRate(ComputeDtype dtype, int d) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            DataType dt = switch (dtype) {
                case FLOAT64 -> DataType.FLOAT64;
                case FLOAT32 -> DataType.FLOAT32;
                case FLOAT16 -> DataType.FLOAT16;
            };
            NDArray a = m.randomNormal(new Shape(256, d)).toType(dt, false);
            NDArray w = m.randomNormal(new Shape(d, d)).toType(dt, false).toType(Projection.storage(TensorRole.O_WEIGHT, dt, m.getDevice()), false);
            Projection.apply(a, w, null).close();
            double s = median(() -> Projection.apply(a, w, null).close(), 9);
            return 2.0 * 256 * d * d / s / 1e9;
        }
    }

    /** A random head permutation that keeps KV groups together (any permutation without GQA). */

    private static List<Path> weightFiles(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    private static long weightBytes(Path folder) {
        long sum = 0;
        for (Path p : weightFiles(folder)) {
            try {
                sum += Files.size(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stat " + p, e);
            }
        }
        return sum;
    }

    /** Reads every safetensors file into one reused direct buffer; returns the seconds it took. */
    private static double plainRead(Path folder) {
        long t0 = System.nanoTime();
        ByteBuffer buf = ByteBuffer.allocateDirect(16 << 20);
        for (Path p : weightFiles(folder)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                while (true) {
                    buf.clear();
                    if (ch.read(buf) < 0) break;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p, e);
            }
        }
        return seconds(t0);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Median wall seconds of {@code runs} runs of {@code body}. */
    static double median(Runnable body, int runs) {
        double[] s = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            body.run();
            s[i] = seconds(t0);
        }
        java.util.Arrays.sort(s);
        return s[runs / 2];
    }
}
