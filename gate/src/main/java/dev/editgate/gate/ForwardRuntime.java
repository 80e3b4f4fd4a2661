package dev.editgate.gate;

import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.ResidualCache;
import dev.editgate.core.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.List;

/**
 * The forward passes the functional and behavioural stages share, loaded once per gate run: the original
 * in float64 (the reference) and in the compute dtype, the tokenized prompts, the float64 logits of each
 * prompt, and the compute-dtype residual stream of each prompt (so an edited layer L runs from layer L).
 * Each prompt's caches hold it alone (batch 1); {@link #logitsOfEachFrom} runs a trial's logits of all prompts as
 * right-padded batches: one, or two of about equal cost on two threads when PyTorch runs one intra-op thread and
 * the machine has two cores or more (two independent forwards then use both cores without OpenMP's spin-waits).
 */
public final class ForwardRuntime implements AutoCloseable {
    static {
        // PyTorch's OpenMP threads spin-wait; on a busy 2-core machine two of them make small forwards 25x
        // slower (measured: 250 ms vs 10 ms per tiny forward). One thread unless the user says otherwise.
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
    }

    private final TransformerForward reference;
    private final TransformerForward original;
    private final TextTokenizer tokenizer;
    private final List<int[][]> tokens = new ArrayList<>();
    private final List<Logits> referenceLogits = new ArrayList<>();
    private final List<ResidualCache> referenceResiduals = new ArrayList<>();
    private final List<ResidualCache> residuals = new ArrayList<>();
    private final int[][] groups;                       // prompt indices of each padded batch, [groups][prompts in it]
    private final List<ResidualCache> groupResiduals = new ArrayList<>();   // per group: [prompts in it, longest, hidden]
    private final ExecutorService secondGroup;          // runs group 1 while the caller runs group 0; null for one group

    ForwardRuntime(GateSession s) {
        ComputeDtype dtype = ComputeDtype.parse(s.config().dtype());
        this.tokenizer = s.config().tokenizer() != null ? TextTokenizer.fromFile(s.config().tokenizer()) : TextTokenizer.fromFolder(s.modelFolder());
        this.reference = TransformerForward.load(s.original(), ComputeDtype.FLOAT64, s.config().device());
        this.original = dtype == ComputeDtype.FLOAT64 ? reference : TransformerForward.load(s.original(), dtype, s.config().device());
        for (String prompt : s.prompts()) {
            int[] ids = tokenizer.encode(prompt);
            if (ids.length == 0) throw new IllegalArgumentException("prompt '" + prompt + "' has no tokens");
            int[][] batch = {ids}; // [1, T]
            tokens.add(batch);
            // the float64 streams once, then only the last layer again for the logits: equal to reference.logits(batch)
            // bit for bit (a stream fed back is the forward's own value), and the layer-local bound reads its streams
            ResidualCache referenceStreams = reference.residuals(batch);
            referenceResiduals.add(referenceStreams);
            referenceLogits.add(reference.logitsFrom(referenceStreams.layers() - 1, referenceStreams));
            residuals.add(original == reference ? referenceStreams : original.residuals(batch));
        }
        boolean oneThreadEach = "1".equals(System.getProperty("ai.djl.pytorch.num_threads"))
                && Runtime.getRuntime().availableProcessors() >= 2;
        this.groups = PromptGroups.split(tokens.stream().mapToInt(t -> t[0].length).toArray(), oneThreadEach ? 2 : 1);
        for (int[] group : groups) {
            groupResiduals.add(original.residuals(Arrays.stream(group).mapToObj(i -> tokens.get(i)[0]).toArray(int[][]::new)));
        }
        this.secondGroup = groups.length < 2 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "editgate-logits-second-batch");
            t.setDaemon(true);
            return t;
        });
    }

    /** The original in float64. */
    public TransformerForward reference() { return reference; }

    /** The original in the compute dtype. */
    public TransformerForward original() { return original; }

    public TextTokenizer tokenizer() { return tokenizer; }

    public int prompts() { return tokens.size(); }

    /** Prompt i as a batch of one sequence, {@code [1, T]}. */
    public int[][] tokens(int i) { return tokens.get(i); }

    public Logits referenceLogits(int i) { return referenceLogits.get(i); }

    public ResidualCache residuals(int i) { return residuals.get(i); }

    /** Prompt i's residual stream in float64 (the reference's), a batch of one. */
    public ResidualCache referenceResiduals(int i) { return referenceResiduals.get(i); }

    /**
     * The logits of every prompt, in prompt order, from layer {@code from} of {@code model} (the original in the compute
     * dtype, or a view of it with an edited layer): each group's right-padded batch from its cached residual stream,
     * the second group on its own thread. The calibration and every trial use the same groups, so they round alike.
     */
    public List<Logits> logitsOfEachFrom(TransformerForward model, int from) {
        if (secondGroup == null) return model.logitsOfEachFrom(from, groupResiduals.get(0));
        Future<List<Logits>> second = secondGroup.submit(() -> model.logitsOfEachFrom(from, groupResiduals.get(1)));
        List<Logits> first;
        try {
            first = model.logitsOfEachFrom(from, groupResiduals.get(0));
        } catch (RuntimeException | Error e) {
            joinQuietly(second);
            throw e;
        }
        List<Logits> rest = join(second);
        Logits[] out = new Logits[prompts()];
        for (int k = 0; k < groups[0].length; k++) out[groups[0][k]] = first.get(k);
        for (int k = 0; k < groups[1].length; k++) out[groups[1][k]] = rest.get(k);
        return List.of(out);
    }

    /** How many padded batches a trial's logits run as (1 or 2). */
    public int promptGroups() { return groups.length; }

    private static List<Logits> join(Future<List<Logits>> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the second batch of prompts ran", e);
        }
    }

    /** Waits for {@code f} so that no forward outlives the failure that ended the trial; its own outcome is dropped. */
    private static void joinQuietly(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ignored) {
            // the caller's failure is the one reported
        }
    }

    @Override
    public void close() {
        if (secondGroup != null) secondGroup.shutdownNow();
        if (original != reference) original.close();
        reference.close();
        tokenizer.close();
    }
}
