package dev.editgate.gate;

import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.ResidualCache;
import dev.editgate.core.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The forward passes the functional and behavioural stages share, loaded once per gate run: the original
 * in float64 (the reference) and in the compute dtype, the tokenized prompts, the float64 logits of each
 * prompt, and the compute-dtype residual stream of each prompt (so an edited layer L runs from layer L).
 * Each prompt's caches hold it alone (batch 1); {@link #allResiduals()} holds every prompt in one right-padded batch,
 * for a trial's logits of all prompts in one forward.
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
    private final ResidualCache allResiduals;

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
        this.allResiduals = original.residuals(tokens.stream().map(t -> t[0]).toArray(int[][]::new)); // [P, longest, hidden]
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

    /** Every prompt's residual stream, in prompt order, as one right-padded batch (see TransformerForward#logitsOfEachFrom). */
    public ResidualCache allResiduals() { return allResiduals; }

    @Override
    public void close() {
        if (original != reference) original.close();
        reference.close();
        tokenizer.close();
    }
}
