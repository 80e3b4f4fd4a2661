package dev.editgate.core.forward;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.model.ModelConfig;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.core.model.NormKind;
import dev.editgate.core.model.PositionKind;
import dev.editgate.core.model.TensorRole;
import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A Hugging Face causal language model of any supported family (eval mode, no KV cache) on DJL's PyTorch
 * engine. The forward reads top to bottom: embed (plus learned positions) → for each layer: norm, q/k/v,
 * rotary, KV repeat, causal softmax, per-head z, output projection, norm, MLP, residual → final norm →
 * unembedding. Where the families differ:
 *
 * <table>
 * <tr><th></th><th>GPT-NeoX</th><th>Llama / Mistral / Qwen2</th><th>GPT-2</th></tr>
 * <tr><td>q/k/v ({@link QkvSplit})</td><td>fused, rows {@code [heads, 3, hd]}</td><td>separate; k, v have kv_heads</td><td>fused Conv1D, {@code [q|k|v]}</td></tr>
 * <tr><td>norm</td><td>LayerNorm</td><td>RMSNorm (fp32 for half inputs)</td><td>LayerNorm</td></tr>
 * <tr><td>positions</td><td>rotary on the first rotary_ndims dims</td><td>rotary on all dims, llama3 scaling</td><td>learned {@code wpe}</td></tr>
 * <tr><td>MLP</td><td>{@code down(gelu(up x))}</td><td>{@code down(silu(gate x) * up x)}</td><td>{@code c_proj(gelu_new(c_fc x))}</td></tr>
 * <tr><td>residual</td><td>parallel or sequential</td><td>sequential</td><td>sequential</td></tr>
 * </table>
 *
 * <p>Common semantics (GUIDE §2, §2b): rotate_half on halves, {@code cat(freqs, freqs)}; scores scaled by
 * {@code 1/sqrt(head_dim)}; causal mask with {@code -inf}; softmax in fp32 for fp16 inputs; query head h reads
 * KV head {@code h / (heads / kv_heads)} (repeat_interleave). Rotary tables are computed the way transformers does
 * (float32 {@code inv_freq}, float32 angles) for fp32/fp16 and in double for fp64.
 *
 * <p>Weights are uploaded once in the compute dtype into this model's manager; each forward runs in its own
 * sub-manager that is closed before the method returns, and only Java arrays leave it. Not thread-safe.
 */
public final class TransformerForward implements AutoCloseable {
    private static final String ENGINE = "PyTorch";

    private final Checkpoint checkpoint;      // kept: zero-copy weights point into its buffers
    private final ModelConfig config;
    private final QkvSplit qkvSplit;
    private final ComputeDtype dtype;
    private final NDManager root;             // parent of every per-forward scope
    private final NDManager owned;            // what close() frees: all weights, or one layer for a view
    private final NDArray finalNormWeight;
    private final NDArray finalNormBias;      // null for RMSNorm
    private final NDArray unembedding;        // [V, C]
    private final List<LayerWeights> layers;
    private final Tensor embedIn;             // [V, C], looked up in Java: a gather of B*T rows
    private final Tensor positionEmbed;       // [P, C] learned positions (GPT-2), else null
    private final boolean isView;
    private boolean closed;

    private TransformerForward(Checkpoint checkpoint, ComputeDtype dtype, NDManager root, NDManager owned,
                           NDArray finalNormWeight, NDArray finalNormBias, NDArray unembedding,
                           List<LayerWeights> layers, boolean isView) {
        this.checkpoint = checkpoint;
        this.config = checkpoint.config();
        this.qkvSplit = QkvSplit.of(config);
        this.dtype = dtype;
        this.root = root;
        this.owned = owned;
        this.finalNormWeight = finalNormWeight;
        this.finalNormBias = finalNormBias;
        this.unembedding = unembedding;
        this.layers = List.copyOf(layers);
        ModelLayout layout = checkpoint.layout();
        this.embedIn = checkpoint.tensor(layout.name(TensorRole.EMBED));
        this.positionEmbed = config.positions() == PositionKind.LEARNED ? checkpoint.tensor(layout.name(TensorRole.POSITION_EMBED)) : null;
        this.isView = isView;
    }

    /**
     * Uploads {@code ck} in {@code dtype} to {@code device}: "cpu", "gpu" (fails when DJL sees none) or
     * "auto" (the first GPU when DJL sees one, else the CPU). The device is chosen here, once.
     */
    public static TransformerForward load(Checkpoint ck, ComputeDtype dtype, String device) {
        ModelConfig c = ck.config();
        ModelLayout layout = ck.layout();
        Device dev = chooseDevice(device);
        NDManager root = NDManager.newBaseManager(dev, ENGINE);
        try {
            DataType dt = dtype.djl();
            List<LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < c.numHiddenLayers(); i++) layers.add(LayerWeights.upload(root, ck, i, dt));
            NDArray lnW = LayerWeights.upload(root, ck.tensor(layout.name(TensorRole.FINAL_NORM_WEIGHT)), dt);
            String lnBias = layout.name(TensorRole.FINAL_NORM_BIAS);
            NDArray lnB = lnBias == null ? null : LayerWeights.upload(root, ck.tensor(lnBias), dt);
            NDArray unembed = LayerWeights.upload(root, ck.unembedding(), Projection.storage(TensorRole.UNEMBED, dt, dev));
            return new TransformerForward(ck, dtype, root, root, lnW, lnB, unembed, layers, false);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    private static Device chooseDevice(String device) {
        String d = device == null ? "auto" : device.trim().toLowerCase(Locale.ROOT);
        int gpus = Engine.getEngine(ENGINE).getGpuCount();
        return switch (d) {
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> {
                if (gpus == 0) {
                    throw new IllegalArgumentException("--device gpu: DJL's PyTorch engine sees no GPU (CPU libtorch "
                            + Engine.getEngine(ENGINE).getVersion() + "); use --device cpu or auto");
                }
                yield Device.gpu();
            }
            case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalArgumentException("--device '" + device + "' is not supported; expected cpu, gpu or auto");
        };
    }

    /**
     * A model equal to {@code edited} that shares every native weight of this one except layer {@code layer},
     * whose tensors are uploaded from {@code edited} (those {@code edited} shares with this model's checkpoint, the
     * same objects, reuse this model's arrays). {@code edited} must differ from this model's checkpoint only in that
     * layer (not checked beyond the config). Closing the view frees only what it uploaded; close
     * views before the model they came from.
     */
    public TransformerForward withLayerReplaced(int layer, Checkpoint edited) {
        checkOpen();
        if (layer < 0 || layer >= layers.size()) {
            throw new IllegalArgumentException("layer " + layer + " is out of range 0.." + (layers.size() - 1));
        }
        if (!edited.config().equals(config)) {
            throw new IllegalArgumentException("the edited checkpoint's config differs from the loaded model's");
        }
        NDManager mine = root.newSubManager();
        try {
            List<LayerWeights> ls = new ArrayList<>(layers);
            ls.set(layer, LayerWeights.uploadChanged(mine, edited, layer, dtype.djl(), checkpoint, layers.get(layer)));
            return new TransformerForward(edited, dtype, root, mine, finalNormWeight, finalNormBias, unembedding, ls, true);
        } catch (RuntimeException e) {
            mine.close();
            throw e;
        }
    }

    public ComputeDtype dtype() { return dtype; }

    public ModelConfig config() { return config; }

    /** "cpu()" or "gpu(0)", as DJL names the device. */
    public String deviceName() { return root.getDevice().toString(); }

    public Checkpoint checkpoint() { return checkpoint; }

    // ------------------------------------------------------------------ public entry points

    /** Logits {@code [B, T, V]} for a batch of equal-length sequences. */
    public Logits logits(int[][] tokens) {
        checkTokens(tokens);
        try (NDManager m = root.newSubManager()) {
            NDArray x = embed(m, tokens);                               // (B, T, C)
            NDArray[] rope = rotaryTables(m, tokens[0].length);
            for (int i = 0; i < layers.size(); i++) x = layer(i, x, rope, null, null, null);
            return toLogits(m, x, tokens.length, tokens[0].length);
        }
    }

    /**
     * Logits {@code [B, T, V]} with the tokens at positions {@code firstPosition..firstPosition+T-1} instead of
     * {@code 0..T-1} (learned positions and rotary angles shifted, causal mask as usual): what a harness that counts
     * positions from 1 computes, for diagnosing one.
     */
    public Logits logitsAtOffset(int[][] tokens, int firstPosition) {
        checkTokens(tokens);
        int seq = tokens[0].length;
        if (firstPosition < 0 || (long) firstPosition + seq > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("positions " + firstPosition + ".." + (firstPosition + seq - 1) + " outside 0.."
                    + (config.maxPositionEmbeddings() - 1));
        }
        try (NDManager m = root.newSubManager()) {
            NDArray x = embed(m, tokens, firstPosition);                // (B, T, C)
            NDArray[] shifted = rotaryTables(m, firstPosition, seq);
            NDArray[] rope = {shifted[0], shifted[1], shifted[2].get(":, " + firstPosition + ":")}; // mask (T, T)
            for (int i = 0; i < layers.size(); i++) x = layer(i, x, rope, null, null, null);
            return toLogits(m, x, tokens.length, seq);
        }
    }

    /** A new, empty key/value cache for {@link #logits(int[][], KvCache)}; close it before this model. */
    public KvCache newKvCache() {
        checkOpen();
        return new KvCache(root.newSubManager(), layers.size());
    }

    /**
     * Incremental decoding: logits {@code [B, T, V]} for {@code tokens} appended after the {@code cache.length()}
     * positions already in {@code cache} (positions, rotary angles and the causal mask continue from there), and
     * their keys and values added to it. Equal to the last T positions of {@link #logits(int[][])} on the whole
     * sequence, up to the order of floating-point sums.
     */
    public Logits logits(int[][] tokens, KvCache cache) {
        checkTokens(tokens);
        cache.checkOpen();
        int past = cache.length();
        int seq = tokens[0].length;
        if (cache.batch() >= 0 && cache.batch() != tokens.length) {
            throw new IllegalArgumentException("the KV cache holds " + cache.batch() + " sequences, the batch has " + tokens.length);
        }
        if ((long) past + seq > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException(past + " cached plus " + seq + " new tokens exceed max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        try (NDManager m = root.newSubManager()) {
            NDArray x = embed(m, tokens, past);                         // (B, T, C)
            NDArray[] rope = rotaryTables(m, past, seq);
            for (int i = 0; i < layers.size(); i++) x = layer(i, x, rope, null, null, cache);
            cache.advance(tokens.length, seq);
            return toLogits(m, x, tokens.length, seq);
        }
    }

    /**
     * Logits of sequences of any lengths, run as one right-padded batch: positions 0..len-1 of each sequence, a
     * causal mask that also hides every sequence's padded keys, and the final norm and unembedding on the real
     * positions only. Element b is sequence b's logits {@code [1, len_b, V]}; they equal {@link #logits(int[][])} of
     * that sequence alone up to the order of floating-point sums inside the larger matrix products.
     */
    public List<Logits> logitsOfEach(int[][] sequences) {
        checkSequences(sequences);
        int[] lengths = lengths(sequences);
        int seq = Arrays.stream(lengths).max().orElseThrow();
        try (NDManager m = root.newSubManager()) {
            NDArray x = embed(m, padRight(sequences, seq));             // (B, T, C), T = the longest length
            NDArray[] rope = rotaryTables(m, 0, seq, lengths);
            for (int i = 0; i < layers.size(); i++) x = layer(i, x, rope, null, null, null);
            return toLogitsOfEach(x, lengths);
        }
    }

    /**
     * The residual stream before each layer and after the last. Sequences of different lengths are right-padded to
     * the longest (as {@link #logitsOfEach}); the padded positions of the streams hold values no real position reads.
     */
    public ResidualCache residuals(int[][] tokens) {
        checkSequences(tokens);
        int[] lengths = lengths(tokens);
        int seqLen = Arrays.stream(lengths).max().orElseThrow();
        try (NDManager m = root.newSubManager()) {
            List<double[]> streams = new ArrayList<>();
            NDArray x = embed(m, padRight(tokens, seqLen));              // (B, T, C)
            NDArray[] rope = rotaryTables(m, 0, seqLen, lengths);
            for (int i = 0; i < layers.size(); i++) {
                streams.add(toDoubles(x));
                x = layer(i, x, rope, null, null, null);
            }
            streams.add(toDoubles(x));
            return new ResidualCache(copy(tokens), config.hiddenSize(), dtype, streams);
        }
    }

    /**
     * The residual stream before each layer and after the last of branched rows ({@link BranchedRows}: sequences sharing
     * a prefix, packed so that the prefix runs once), packed and right-padded as {@link BranchedRows#tokens()}.
     */
    public ResidualCache residuals(BranchedRows rows) {
        int[][] tokens = rows.tokens();
        checkSequences(tokens);
        int[][] positions = rows.positions();
        for (int b = 0; b < positions.length; b++) {
            int last = Arrays.stream(positions[b]).max().orElseThrow();
            if (last >= config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("row " + b + " reaches position " + last + ", beyond max_position_embeddings "
                        + config.maxPositionEmbeddings());
            }
        }
        int seqLen = Arrays.stream(tokens).mapToInt(t -> t.length).max().orElseThrow();
        try (NDManager m = root.newSubManager()) {
            List<double[]> streams = new ArrayList<>();
            NDArray x = embed(m, padRight(tokens, seqLen), padRight(positions, seqLen)); // (B, T, C)
            NDArray[] rope = branchedTables(m, rows, seqLen);
            for (int i = 0; i < layers.size(); i++) {
                streams.add(toDoubles(x));
                x = layer(i, x, rope, null, null, null);
            }
            streams.add(toDoubles(x));
            return new ResidualCache(tokens, config.hiddenSize(), dtype, streams);
        }
    }

    /**
     * Logits of branched rows from layer {@code layer} on ({@code cache}: their {@link #residuals(BranchedRows)}, from
     * this model or one with the same layers below), only slots {@code from[b]..} of each packed row unembedded: element
     * b is {@code [1, packed length_b - from[b], V]}; slot s holds what position {@code positions()[b][s]} of its own
     * sequence (prefix + its branch) computes alone, up to the order of floating-point sums.
     */
    public List<Logits> logitsOfBranchesFrom(int layer, ResidualCache cache, BranchedRows rows, int[] from) {
        checkCache(layer, cache);
        int[][] tokens = rows.tokens();
        if (!Arrays.deepEquals(tokens, cache.tokens())) {
            throw new IllegalArgumentException("the residual cache does not hold these branched rows (TransformerForward.residuals(BranchedRows))");
        }
        int[] lengths = cache.lengths();
        for (int b = 0; b < lengths.length; b++) {
            if (from.length != lengths.length || from[b] < 0 || from[b] >= lengths[b]) {
                throw new IllegalArgumentException("first slots " + Arrays.toString(from) + " do not fit rows of lengths " + Arrays.toString(lengths));
            }
        }
        int seq = cache.seq();
        try (NDManager m = root.newSubManager()) {
            NDArray x = fromDoubles(m, cache.before(layer), new Shape(cache.batch(), seq, config.hiddenSize())); // (B, T, C)
            NDArray[] rope = branchedTables(m, rows, seq);
            int last = layers.size() - 1;
            int skip = Arrays.stream(from).min().orElseThrow();                    // slots no one reads at the end
            for (int i = layer; i < last; i++) x = layer(i, x, rope, null, null, null);
            x = layer(last, x, rope, null, null, null, skip);                      // (B, T - skip, C)
            return toLogitsOfEach(x, shift(from, skip), shift(lengths, skip));
        }
    }

    /**
     * As {@link #logitsOfBranchesFrom}, with layer {@code layer}'s per-head z of the packed batch {@code [B, T, heads,
     * headDim]} changed by {@code f} before the output projection (null: as computed), and only the listed slots of each
     * row unembedded: element b is {@code [1, slots[b].length, V]}, in the order listed.
     */
    public List<Logits> logitsOfBranchesFrom(int layer, ResidualCache cache, BranchedRows rows, ZIntervention f, int[][] slots) {
        checkCache(layer, cache);
        if (!Arrays.deepEquals(rows.tokens(), cache.tokens())) {
            throw new IllegalArgumentException("the residual cache does not hold these branched rows (TransformerForward.residuals(BranchedRows))");
        }
        int[] lengths = cache.lengths();
        if (slots.length != lengths.length) throw new IllegalArgumentException(slots.length + " slot lists for " + lengths.length + " rows");
        for (int b = 0; b < lengths.length; b++) {
            for (int slot : slots[b]) {
                if (slot < 0 || slot >= lengths[b]) throw new IllegalArgumentException("slot " + slot + " of row " + b + " is outside 0.." + (lengths[b] - 1));
            }
        }
        int seq = cache.seq();
        try (NDManager m = root.newSubManager()) {
            NDArray x = fromDoubles(m, cache.before(layer), new Shape(cache.batch(), seq, config.hiddenSize())); // (B, T, C)
            NDArray[] rope = branchedTables(m, rows, seq);
            int last = layers.size() - 1;
            int skip = last == layer && f != null ? 0 : Arrays.stream(slots).flatMapToInt(Arrays::stream).min().orElse(0);
            for (int i = layer; i < last; i++) x = layer(i, x, rope, i == layer ? f : null, null, null);
            x = layer(last, x, rope, last == layer ? f : null, null, null, skip);  // (B, T - skip, C)
            NDList chosen = new NDList();
            for (int b = 0; b < slots.length; b++) {
                for (int slot : slots[b]) chosen.add(x.get(b + ", " + (slot - skip) + ":" + (slot - skip + 1)));   // (1, C)
            }
            NDArray h = norm(NDArrays.concat(chosen, 0), finalNormWeight, finalNormBias);                       // (N, C)
            double[] all = toDoubles(Projection.apply(h, unembedding, null));                         // (N, V)
            int vocab = config.vocabSize();
            List<Logits> out = new ArrayList<>(slots.length);
            int start = 0;
            for (int[] rowSlots : slots) {
                out.add(new Logits(1, rowSlots.length, vocab, Arrays.copyOfRange(all, start, start + rowSlots.length * vocab)));
                start += rowSlots.length * vocab;
            }
            return out;
        }
    }

    /**
     * Runs layers {@code layer..end}, the final norm and the unembedding from the cached residual stream
     * entering {@code layer}: nothing below {@code layer} is recomputed. The cache may come from another
     * model with the same layers below (e.g. the original, for an edit of {@code layer} or above).
     */
    public Logits logitsFrom(int layer, ResidualCache cache) {
        checkCache(layer, cache);
        if (cache.padded()) {
            throw new IllegalArgumentException("the residual cache holds sequences of different lengths: use logitsOfEachFrom");
        }
        int batch = cache.batch();
        int seq = cache.seq();
        try (NDManager m = root.newSubManager()) {
            NDArray x = fromDoubles(m, cache.before(layer), new Shape(batch, seq, config.hiddenSize())); // (B, T, C)
            NDArray[] rope = rotaryTables(m, seq);
            for (int i = layer; i < layers.size(); i++) x = layer(i, x, rope, null, null, null);
            return toLogits(m, x, batch, seq);
        }
    }

    /**
     * As {@link #logitsFrom} for a cache of sequences of any lengths (one padded batch): element b is sequence b's
     * logits {@code [1, len_b, V]}, as {@link #logitsOfEach} computes them.
     */
    public List<Logits> logitsOfEachFrom(int layer, ResidualCache cache) {
        checkCache(layer, cache);
        int[] lengths = cache.lengths();
        try (NDManager m = root.newSubManager()) {
            NDArray x = fromDoubles(m, cache.before(layer), new Shape(cache.batch(), cache.seq(), config.hiddenSize())); // (B, T, C)
            NDArray[] rope = rotaryTables(m, 0, cache.seq(), lengths);
            for (int i = layer; i < layers.size(); i++) x = layer(i, x, rope, null, null, null);
            return toLogitsOfEach(x, lengths);
        }
    }

    /**
     * The residual stream leaving layer {@code layer} {@code [B, T, hidden]}, computed from the cached stream entering
     * it: only that layer runs. For an unpadded cache it equals {@link #trace}'s {@code residualOut()} bit for bit.
     */
    public double[] layerOutputFrom(int layer, ResidualCache cache) {
        checkCache(layer, cache);
        try (NDManager m = root.newSubManager()) {
            NDArray x = fromDoubles(m, cache.before(layer), new Shape(cache.batch(), cache.seq(), config.hiddenSize())); // (B, T, C)
            NDArray[] rope = cache.padded() ? rotaryTables(m, 0, cache.seq(), cache.lengths()) : rotaryTables(m, cache.seq());
            return toDoubles(layer(layer, x, rope, null, null, null));
        }
    }

    /**
     * As {@link #logitsOfEachFrom(int, ResidualCache)}, with layer {@code layer}'s per-head z of the whole padded batch
     * {@code [B, T, heads, headDim]} changed by {@code f} before the output projection (null: left as computed), and only
     * positions {@code from[b]..len_b-1} of each sequence unembedded: element b is {@code [1, len_b - from[b], V]}. One
     * forward of layers {@code layer..end} for the whole batch, so several interventions on the same prompts (one per
     * batch row, e.g. a head set zeroed in row b) cost one pass; the unembedding, the largest product, skips every
     * position the caller does not read.
     */
    public List<Logits> logitsOfEachFrom(int layer, ResidualCache cache, ZIntervention f, int[] from) {
        checkCache(layer, cache);
        int[] lengths = cache.lengths();
        if (from.length != lengths.length) {
            throw new IllegalArgumentException(from.length + " first positions for a cache of " + lengths.length + " sequences");
        }
        for (int b = 0; b < lengths.length; b++) {
            if (from[b] < 0 || from[b] >= lengths[b]) {
                throw new IllegalArgumentException("first position " + from[b] + " of sequence " + b + " is outside 0.." + (lengths[b] - 1));
            }
        }
        int batch = cache.batch();
        int seq = cache.seq();
        try (NDManager m = root.newSubManager()) {
            NDArray x = fromDoubles(m, cache.before(layer), new Shape(batch, seq, config.hiddenSize())); // (B, T, C)
            NDArray[] rope = cache.padded() ? rotaryTables(m, 0, seq, lengths) : rotaryTables(m, seq);
            int last = layers.size() - 1;
            int skip = last == layer && f != null ? 0 : Arrays.stream(from).min().orElseThrow(); // positions no one reads at the end
            for (int i = layer; i < last; i++) x = layer(i, x, rope, i == layer ? f : null, null, null);
            x = layer(last, x, rope, last == layer ? f : null, null, null, skip);                  // (B, T - skip, C)
            return toLogitsOfEach(x, shift(from, skip), shift(lengths, skip));
        }
    }

    /**
     * Everything layer {@code layer} computes, from the cached residual stream entering it: only that layer runs. For an
     * unpadded cache it equals {@link #trace} of the cache's tokens bit for bit (the cache may come from another model
     * with the same layers below, e.g. the original for an edit of {@code layer}); a padded cache's padded positions hold
     * values no real position reads.
     */
    public LayerTrace traceFrom(int layer, ResidualCache cache) {
        checkCache(layer, cache);
        try (NDManager m = root.newSubManager()) {
            double[] in = cache.before(layer);
            NDArray x = fromDoubles(m, in, new Shape(cache.batch(), cache.seq(), config.hiddenSize())); // (B, T, C)
            NDArray[] rope = cache.padded() ? rotaryTables(m, 0, cache.seq(), cache.lengths()) : rotaryTables(m, cache.seq());
            Capture cap = new Capture();
            NDArray out = layer(layer, x, rope, null, cap, null);
            return new LayerTrace(layer, cache.batch(), cache.seq(), config.hiddenSize(), in.clone(), cap.z,
                    cap.attentionOut, cap.mlpOut, toDoubles(out));
        }
    }

    private void checkCache(int layer, ResidualCache cache) {
        checkOpen();
        if (cache.hidden() != config.hiddenSize()) {
            throw new IllegalArgumentException("residual cache has hidden size " + cache.hidden() + ", the model " + config.hiddenSize());
        }
        if (cache.layers() != layers.size()) {
            throw new IllegalArgumentException("residual cache covers " + cache.layers() + " layers, the model has " + layers.size());
        }
        checkLayer(layer);
    }

    /** Everything layer {@code layer} computes for {@code tokens}; layers above it are not run. */
    public LayerTrace trace(int[][] tokens, int layer) {
        checkTokens(tokens);
        checkLayer(layer);
        try (NDManager m = root.newSubManager()) {
            NDArray x = embed(m, tokens);                               // (B, T, C)
            NDArray[] rope = rotaryTables(m, tokens[0].length);
            for (int i = 0; i < layer; i++) x = layer(i, x, rope, null, null, null);
            Capture cap = new Capture();
            double[] in = toDoubles(x);
            NDArray out = layer(layer, x, rope, null, cap, null);
            return new LayerTrace(layer, tokens.length, tokens[0].length, config.hiddenSize(), in, cap.z,
                    cap.attentionOut, cap.mlpOut, toDoubles(out));
        }
    }

    /**
     * The MLP's hidden activation in layer {@code layer}, the input of its down projection ({@code act(up h)}, or
     * SwiGLU's {@code act(gate h) * up h}): {@code [B, T, intermediate]}, widened to double. Layers above are not run.
     * A rank-one key-value edit (ROME) takes its key from here.
     */
    public double[] mlpHidden(int[][] tokens, int layer) {
        checkTokens(tokens);
        checkLayer(layer);
        try (NDManager m = root.newSubManager()) {
            NDArray x = embed(m, tokens);                               // (B, T, C)
            NDArray[] rope = rotaryTables(m, tokens[0].length);
            for (int i = 0; i < layer; i++) x = layer(i, x, rope, null, null, null);
            Capture cap = new Capture();
            layer(layer, x, rope, null, cap, null);
            return cap.mlpHidden;
        }
    }

    /** Logits with layer {@code layer}'s per-head z changed by {@code f} before {@code dense}. */
    public Logits logitsWithZ(int[][] tokens, int layer, ZIntervention f) {
        checkTokens(tokens);
        checkLayer(layer);
        try (NDManager m = root.newSubManager()) {
            NDArray x = embed(m, tokens);                               // (B, T, C)
            NDArray[] rope = rotaryTables(m, tokens[0].length);
            for (int i = 0; i < layers.size(); i++) x = layer(i, x, rope, i == layer ? f : null, null, null);
            return toLogits(m, x, tokens.length, tokens[0].length);
        }
    }

    // ------------------------------------------------------------------ the forward

    /** What a traced layer hands back. */
    private static final class Capture {
        HeadZ z;
        double[] attentionOut;
        double[] mlpOut;
        double[] mlpHidden;  // (B, T, ff), the down projection's input
    }

    /**
     * Token embeddings, gathered in Java from the checkpoint's (mmapped) embedding, plus the learned position
     * embedding of position t where the family has one (the sum of two stored values is exact in double and
     * rounded once to the compute dtype, as the model's own add rounds it).
     */
    private NDArray embed(NDManager m, int[][] tokens) {
        return embed(m, tokens, 0);
    }

    /** As {@link #embed(NDManager, int[][])} for tokens at positions {@code offset..offset+T-1}. */
    private NDArray embed(NDManager m, int[][] tokens, int offset) {
        int[][] positions = new int[tokens.length][tokens[0].length];                  // (B, T): offset + t in every row
        for (int[] row : positions) for (int t = 0; t < row.length; t++) row[t] = offset + t;
        return embed(m, tokens, positions);
    }

    /** As {@link #embed(NDManager, int[][], int)} with each token's own position {@code positions[b][t]}. */
    private NDArray embed(NDManager m, int[][] tokens, int[][] positions) {
        int batch = tokens.length;
        int seq = tokens[0].length;
        int hidden = config.hiddenSize();
        double[] out = new double[batch * seq * hidden];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                long row = (long) tokens[b][t] * hidden;
                int dst = (b * seq + t) * hidden;
                for (int c = 0; c < hidden; c++) out[dst + c] = embedIn.getDouble(row + c);
                if (positionEmbed != null) {
                    long pos = (long) positions[b][t] * hidden;
                    for (int c = 0; c < hidden; c++) out[dst + c] += positionEmbed.getDouble(pos + c);
                }
            }
        }
        return fromDoubles(m, out, new Shape(batch, seq, hidden));     // (B, T, C)
    }

    /** One transformer layer on x (B, T, C); returns the new residual stream (B, T, C). */
    private NDArray layer(int i, NDArray x, NDArray[] rope, ZIntervention zHook, Capture capture, KvCache cache) {
        return layer(i, x, rope, zHook, capture, cache, 0);
    }

    /**
     * As {@link #layer(int, NDArray, NDArray[], ZIntervention, Capture, KvCache)} when only positions {@code queriesFrom..}
     * of its output are read (the last layer, when only the last positions are unembedded): every position still gives
     * keys and values, but queries, z, the output projection and the MLP run for those positions only; returns
     * (B, T - queriesFrom, C).
     */
    private NDArray layer(int i, NDArray x, NDArray[] rope, ZIntervention zHook, Capture capture, KvCache cache, int queriesFrom) {
        LayerWeights w = layers.get(i);
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int hd = config.headDim();

        // ---- attention
        NDArray h = norm(x, w.get(TensorRole.LN1_WEIGHT), w.optional(TensorRole.LN1_BIAS)); // (B, T, C)
        NDArray[] qkv = qkvSplit.project(h, w, config);                            // q (B, nh, T, hd), k/v (B, nkv, T, hd)
        NDArray q = qkv[0], k = qkv[1], v = qkv[2];
        if (config.positions() == PositionKind.ROTARY) {
            q = applyRotary(q, rope);                                              // (B, nh, T, hd)
            k = applyRotary(k, rope);                                              // (B, nkv, T, hd)
        }
        if (cache != null) {                                                       // incremental: attend to every cached position too
            NDArray[] kv = cache.append(i, k, v);
            k = kv[0];                                                             // (B, nkv, past+T, hd)
            v = kv[1];                                                             // (B, nkv, past+T, hd)
        }
        k = repeatKv(k);                                                           // (B, nh, T, hd)
        v = repeatKv(v);                                                           // (B, nh, T, hd)
        NDArray mask = rope[2];                                                    // (T, past+T) or (B, 1, T, T)
        if (queriesFrom > 0) {                                                     // only positions queriesFrom.. are read
            q = q.get(":, :, " + queriesFrom + ":, :");                            // (B, nh, T', hd), T' = T - queriesFrom
            mask = mask.getShape().dimension() == 2 ? mask.get(queriesFrom + ":, :") : mask.get(":, :, " + queriesFrom + ":, :");
            x = x.get(":, " + queriesFrom + ":, :");                               // (B, T', C)
            seq -= queriesFrom;
        }

        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2))                         // (B, nh, T, past+T)
                .mul(1.0 / Math.sqrt(hd));
        if (dtype == ComputeDtype.FLOAT16) scores = scores.toType(DataType.FLOAT32, false);
        NDArray probs = scores.add(mask).softmax(-1);                              // (B, nh, T, T), causal
        if (dtype == ComputeDtype.FLOAT16) probs = probs.toType(DataType.FLOAT16, false);
        NDArray z = probs.matMul(v)                                                // (B, nh, T, hd)
                .transpose(0, 2, 1, 3);                                            // (B, T, nh, hd)

        if (zHook != null || capture != null) {
            HeadZ zj = new HeadZ((int) batch, (int) seq, heads, hd, toDoubles(z));
            if (capture != null) capture.z = zj.copy();
            if (zHook != null) {
                zHook.apply(zj);
                z = fromDoubles(x.getManager(), zj.values(), new Shape(batch, seq, heads, hd)); // (B, T, nh, hd)
            }
        }
        NDArray merged = z.reshape(batch, seq, (long) heads * hd);                 // (B, T, nh*hd)
        NDArray attn = QkvSplit.linear(merged, w, TensorRole.O_WEIGHT, TensorRole.O_BIAS); // (B, T, C)
        if (capture != null) capture.attentionOut = toDoubles(attn);

        // ---- MLP and residual
        if (config.parallelResidual()) {
            NDArray mlp = mlp(norm(x, w.get(TensorRole.LN2_WEIGHT), w.optional(TensorRole.LN2_BIAS)), w, capture); // (B, T, C)
            if (capture != null) capture.mlpOut = toDoubles(mlp);
            return mlp.add(attn).add(x);                                           // x + attn(ln1 x) + mlp(ln2 x)
        }
        NDArray afterAttn = attn.add(x);                                           // (B, T, C)
        NDArray mlp = mlp(norm(afterAttn, w.get(TensorRole.LN2_WEIGHT), w.optional(TensorRole.LN2_BIAS)), w, capture);
        if (capture != null) capture.mlpOut = toDoubles(mlp);
        return mlp.add(afterAttn);
    }

    /** {@code down(act(up h))}, or SwiGLU's {@code down(act(gate h) * up h)}: h (B, T, C) -> (B, T, C). */
    private NDArray mlp(NDArray h, LayerWeights w, Capture capture) {
        NDArray up = QkvSplit.linear(h, w, TensorRole.MLP_UP_WEIGHT, TensorRole.MLP_UP_BIAS);     // (B, T, ff)
        NDArray act = config.gatedMlp()
                ? activation(QkvSplit.linear(h, w, TensorRole.MLP_GATE_WEIGHT, TensorRole.MLP_GATE_BIAS)).mul(up)
                : activation(up);                                                                   // (B, T, ff)
        if (capture != null) capture.mlpHidden = toDoubles(act);
        return QkvSplit.linear(act, w, TensorRole.MLP_DOWN_WEIGHT, TensorRole.MLP_DOWN_BIAS);     // (B, T, C)
    }

    private NDArray activation(NDArray x) {
        return switch (config.hiddenAct()) {
            case "gelu" -> Activation.gelu(x);   // torch gelu, approximate='none': x * Φ(x) with erf
            case "gelu_new", "gelu_fast", "gelu_pytorch_tanh" -> {    // tanh approximation
                NDArray inner = x.pow(3).mul(0.044715).add(x).mul(Math.sqrt(2 / Math.PI));
                yield inner.tanh().add(1).mul(x).mul(0.5);
            }
            case "relu" -> Activation.relu(x);
            case "silu" -> x.mul(Activation.sigmoid(x));
            default -> throw new IllegalStateException("hidden_act " + config.hiddenAct());
        };
    }

    /** Grouped-query attention: (B, nkv, T, hd) -> (B, nh, T, hd), each KV head repeated for its g query heads (repeat_interleave). */
    private NDArray repeatKv(NDArray kv) {
        int g = config.groupSize();
        if (g == 1) return kv;
        Shape s = kv.getShape();
        return kv.expandDims(2)                                                    // (B, nkv, 1, T, hd)
                .repeat(2, g)                                                      // (B, nkv, g, T, hd)
                .reshape(s.get(0), s.get(1) * g, s.get(2), s.get(3));              // (B, nh, T, hd)
    }

    /** LayerNorm with bias, or RMSNorm (computed in fp32 for half inputs, as LlamaRMSNorm does). */
    private NDArray norm(NDArray x, NDArray weight, NDArray bias) {
        float eps = (float) config.normEps();
        if (config.norm() == NormKind.LAYER_NORM) {
            Shape last = new Shape(x.getShape().get(x.getShape().dimension() - 1));
            return LayerNorm.layerNorm(x, last, weight, bias, eps).singletonOrThrow();    // (B, T, C) or (N, C)
        }
        NDArray xf = dtype == ComputeDtype.FLOAT16 ? x.toType(DataType.FLOAT32, false) : x;
        NDArray variance = xf.pow(2).mean(new int[] {-1}, true);                   // (B, T, 1)
        NDArray normed = xf.mul(variance.add(eps).sqrt().pow(-1));                 // x / sqrt(mean(x²) + eps)
        if (dtype == ComputeDtype.FLOAT16) normed = normed.toType(DataType.FLOAT16, false);
        return normed.mul(weight);                                                 // (B, T, C)
    }

    /** x (B, nh, T, hd): rotates the first rotary_ndims dims by position; the rest pass through. */
    private NDArray applyRotary(NDArray x, NDArray[] rope) {
        int hd = config.headDim();
        int rd = config.rotaryNdims();
        NDArray rot = rd == hd ? x : x.get("..., :" + rd);                         // (B, nh, T, rd)
        NDArray x1 = rot.get("..., :" + rd / 2);                                   // (B, nh, T, rd/2)
        NDArray x2 = rot.get("..., " + rd / 2 + ":");                              // (B, nh, T, rd/2)
        NDArray rotated = x2.neg().concat(x1, -1);                                 // rotate_half: (B, nh, T, rd)
        NDArray embedded = rot.mul(rope[0]).add(rotated.mul(rope[1]));             // cos, sin: (T, rd)
        return rd == hd ? embedded : embedded.concat(x.get("..., " + rd + ":"), -1); // (B, nh, T, hd)
    }

    /**
     * {cos (T, rd), sin (T, rd), causal mask (T, T)}: cos/sin in the compute dtype; the additive mask is 0 on
     * and below the diagonal and -inf above, in fp32 for fp16 (scores are upcast before the softmax).
     */
    private NDArray[] rotaryTables(NDManager m, int seq) {
        return rotaryTables(m, 0, seq);
    }

    /**
     * The tables for {@code seq} new positions after {@code past} cached ones: cos/sin of positions
     * {@code past..past+seq-1} (seq, rd) and the causal mask (seq, past+seq): new token r sees keys 0..past+r.
     */
    private NDArray[] rotaryTables(NDManager m, int past, int seq) {
        return rotaryTables(m, past, seq, null);
    }

    /**
     * As {@link #rotaryTables(NDManager, int, int)}, for a right-padded batch when {@code lengths} is not null: the
     * mask is then (B, 1, seq, past+seq) and also hides key positions at or beyond each sequence's length (a padded
     * query still sees key 0, so no softmax row is empty). Right padding keeps every sequence at positions 0..len-1.
     */
    private NDArray[] rotaryTables(NDManager m, int past, int seq, int[] lengths) {
        int keys = past + seq;
        int rd = config.rotaryNdims();
        double[] cos = new double[seq * rd];
        double[] sin = new double[seq * rd];
        int[] positions = new int[seq];
        for (int t = 0; t < seq; t++) positions[t] = past + t;
        fillRotary(cos, sin, 0, positions);
        int batch = lengths == null ? 1 : lengths.length;
        double[] mask = new double[batch * seq * keys];
        for (int b = 0; b < batch; b++) {
            int visible = lengths == null ? keys : past + lengths[b];                // keys beyond are padding
            for (int r = 0; r < seq; r++) {
                int from = b * seq * keys + r * keys;
                for (int c = Math.min(past + r + 1, Math.max(visible, 1)); c < keys; c++) mask[from + c] = Double.NEGATIVE_INFINITY;
            }
        }
        Shape maskShape = lengths == null ? new Shape(seq, keys) : new Shape(batch, 1, seq, keys);
        NDArray maskArray = dtype == ComputeDtype.FLOAT16
                ? m.create(toFloats(mask), maskShape)
                : fromDoubles(m, mask, maskShape);
        return new NDArray[] {fromDoubles(m, cos, new Shape(seq, rd)), fromDoubles(m, sin, new Shape(seq, rd)), maskArray};
    }

    /**
     * cos and sin {@code (positions.length, rd)} of the given positions, written from row {@code firstRow} of {@code cos}
     * and {@code sin}: computed the way transformers does (float32 {@code inv_freq} and angles for fp32/fp16, double for
     * fp64; llama3 scaling when configured), {@code emb = cat(freqs, freqs)}.
     */
    private void fillRotary(double[] cos, double[] sin, int firstRow, int[] positions) {
        int rd = config.rotaryNdims();
        int half = rd / 2;
        boolean f64 = dtype == ComputeDtype.FLOAT64;
        double base = config.ropeTheta();
        for (int j = 0; j < half; j++) {
            // transformers: inv_freq = 1 / base^(arange(0, rd, 2).float() / rd), angles = pos.float() * inv_freq
            double invFreq = f64 ? 1.0 / Math.pow(base, (2.0 * j) / rd)
                    : 1.0f / (float) Math.pow(base, (float) (2 * j) / (float) rd);
            if (config.ropeScaling().isPresent()) {                                // llama3: rescaled by wavelength
                double scaled = config.ropeScaling().get().scale(invFreq);
                invFreq = f64 ? scaled : (float) scaled;
            }
            for (int t = 0; t < positions.length; t++) {
                int pos = positions[t];
                int row = (firstRow + t) * rd;
                double angle = f64 ? pos * invFreq : (float) (pos * (float) invFreq);
                double c = f64 ? Math.cos(angle) : (float) Math.cos(angle);
                double s = f64 ? Math.sin(angle) : (float) Math.sin(angle);
                cos[row + j] = c;
                cos[row + j + half] = c;                                           // emb = cat(freqs, freqs)
                sin[row + j] = s;
                sin[row + j + half] = s;
            }
        }
    }

    /**
     * {cos (B, 1, T, rd), sin (B, 1, T, rd), mask (B, 1, T, T)} for branched rows right-padded to T: each slot rotated by
     * its position in its own sequence; slot q sees slot k <= q of the prefix or of q's own branch (a padded query sees
     * key 0, so no softmax row is empty).
     */
    private NDArray[] branchedTables(NDManager m, BranchedRows rows, int seq) {
        int rd = config.rotaryNdims();
        int batch = rows.rows();
        int[][] positions = rows.positions();
        int[][] branchOf = rows.branchOfSlot();
        double[] cos = new double[batch * seq * rd];
        double[] sin = new double[batch * seq * rd];
        double[] mask = new double[batch * seq * seq];
        Arrays.fill(mask, Double.NEGATIVE_INFINITY);
        for (int b = 0; b < batch; b++) {
            fillRotary(cos, sin, b * seq, Arrays.copyOf(positions[b], seq));          // padded slots: position 0
            int len = positions[b].length;
            for (int q = 0; q < seq; q++) {
                int from = (b * seq + q) * seq;
                if (q >= len) {
                    mask[from] = 0;
                    continue;
                }
                for (int k = 0; k <= q; k++) if (branchOf[b][k] < 0 || branchOf[b][k] == branchOf[b][q]) mask[from + k] = 0;
            }
        }
        Shape maskShape = new Shape(batch, 1, seq, seq);
        NDArray maskArray = dtype == ComputeDtype.FLOAT16 ? m.create(toFloats(mask), maskShape) : fromDoubles(m, mask, maskShape);
        return new NDArray[] {fromDoubles(m, cos, new Shape(batch, 1, seq, rd)), fromDoubles(m, sin, new Shape(batch, 1, seq, rd)), maskArray};
    }

    /** Final LayerNorm and unembedding of x (B, T, C), widened into Java. */
    private Logits toLogits(NDManager m, NDArray x, int batch, int seq) {
        NDArray h = norm(x, finalNormWeight, finalNormBias);                      // (B, T, C)
        NDArray logits = Projection.apply(h, unembedding, null);         // (B, T, V)
        return new Logits(batch, seq, config.vocabSize(), toDoubles(logits));
    }

    /**
     * Final norm and unembedding of the real positions of a right-padded x (B, T, C): the rows of each sequence are
     * gathered first, so the largest product of the forward skips the padding; one Logits [1, len_b, V] per sequence.
     */
    private List<Logits> toLogitsOfEach(NDArray x, int[] lengths) {
        NDList rows = new NDList();
        for (int b = 0; b < lengths.length; b++) rows.add(x.get(b + ", :" + lengths[b]));   // (len_b, C)
        NDArray real = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);        // (N, C), N = Σ len_b
        NDArray h = norm(real, finalNormWeight, finalNormBias);                            // (N, C)
        NDArray logits = Projection.apply(h, unembedding, null);                // (N, V)
        int vocab = config.vocabSize();
        List<Logits> out = new ArrayList<>(lengths.length);
        int from = 0;
        for (int len : lengths) {
            // each sequence's rows widened straight from the native buffer: no copy of all rows in between
            out.add(new Logits(1, len, vocab, toDoubles(logits.get(from + ":" + (from + len)))));   // (len_b, V)
            from += len;
        }
        return out;
    }

    /**
     * Final norm and unembedding of positions {@code from[b]..lengths[b]-1} of each sequence of a right-padded x (B, T, C),
     * gathered first so the product skips every other position; one Logits {@code [1, lengths[b] - from[b], V]} per sequence.
     */
    private List<Logits> toLogitsOfEach(NDArray x, int[] from, int[] lengths) {
        NDList rows = new NDList();
        for (int b = 0; b < lengths.length; b++) rows.add(x.get(b + ", " + from[b] + ":" + lengths[b]));   // (len_b - from_b, C)
        NDArray chosen = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);                     // (N, C)
        NDArray h = norm(chosen, finalNormWeight, finalNormBias);                                       // (N, C)
        NDArray logits = Projection.apply(h, unembedding, null);                             // (N, V)
        double[] all = toDoubles(logits);
        int vocab = config.vocabSize();
        List<Logits> out = new ArrayList<>(lengths.length);
        int start = 0;
        for (int b = 0; b < lengths.length; b++) {
            int n = lengths[b] - from[b];
            out.add(new Logits(1, n, vocab, Arrays.copyOfRange(all, start, start + n * vocab)));
            start += n * vocab;
        }
        return out;
    }

    private static int[] shift(int[] positions, int by) {
        return Arrays.stream(positions).map(p -> p - by).toArray();
    }

    private static int[] lengths(int[][] sequences) {
        return Arrays.stream(sequences).mapToInt(s -> s.length).toArray();
    }

    /** {@code [B, seq]}: each sequence followed by token 0 up to {@code seq} (the mask hides them). */
    private static int[][] padRight(int[][] sequences, int seq) {
        int[][] out = new int[sequences.length][];
        for (int b = 0; b < sequences.length; b++) out[b] = Arrays.copyOf(sequences[b], seq);
        return out;
    }

    // ------------------------------------------------------------------ transfers

    /** Values to the device in the compute dtype (exact for values that came from that dtype). */
    private NDArray fromDoubles(NDManager m, double[] values, Shape shape) {
        return switch (dtype) {
            case FLOAT64 -> m.create(values, shape);
            case FLOAT32 -> m.create(toFloats(values), shape);
            case FLOAT16 -> m.create(toFloats(values), shape).toType(DataType.FLOAT16, false);
        };
    }

    /**
     * Any array back to Java, widened exactly to double. Read in place through a direct buffer on the tensor's own memory
     * ({@code toByteBuffer(true)}; a non-contiguous array is made contiguous first): a copy through a Java byte[] and a
     * float[] per pull would double the garbage of a trial, whose logits are tens of megabytes.
     */
    private static double[] toDoubles(NDArray a) {
        return switch (a.getDataType()) {
            case FLOAT64 -> {
                java.nio.DoubleBuffer src = a.toByteBuffer(true).asDoubleBuffer();
                double[] d = new double[src.remaining()];
                src.get(d);
                yield d;
            }
            case FLOAT32 -> widen(a.toByteBuffer(true).asFloatBuffer());
            case FLOAT16 -> widen(a.toType(DataType.FLOAT32, false).toByteBuffer(true).asFloatBuffer());
            default -> throw new IllegalStateException("unexpected array type " + a.getDataType());
        };
    }

    /** The floats of {@code src}, widened; copied in chunks (a bulk copy, then a loop the JIT vectorizes). */
    private static double[] widen(java.nio.FloatBuffer src) {
        double[] d = new double[src.remaining()];
        float[] chunk = new float[Math.min(d.length, 8192)];
        for (int from = 0; from < d.length; from += chunk.length) {
            int n = Math.min(chunk.length, d.length - from);
            src.get(from, chunk, 0, n);
            for (int i = 0; i < n; i++) d[from + i] = chunk[i];
        }
        return d;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    // ------------------------------------------------------------------ checks

    private void checkTokens(int[][] tokens) {
        checkOpen();
        if (tokens == null || tokens.length == 0) throw new IllegalArgumentException("the batch of token sequences is empty");
        int seq = tokens[0].length;
        if (seq == 0) throw new IllegalArgumentException("sequence 0 is empty: the forward needs at least one token");
        if (seq > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequences of " + seq + " tokens exceed max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        for (int b = 0; b < tokens.length; b++) {
            if (tokens[b].length != seq) {
                throw new IllegalArgumentException("sequences must have equal length (no padding): sequence 0 has "
                        + seq + " tokens, sequence " + b + " has " + tokens[b].length);
            }
            for (int t = 0; t < seq; t++) {
                int id = tokens[b][t];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " at sequence " + b + ", position " + t
                            + " is outside the vocabulary 0.." + (config.vocabSize() - 1));
                }
            }
        }
    }

    /** As {@link #checkTokens} but sequences may differ in length (each at least one token). */
    private void checkSequences(int[][] sequences) {
        checkOpen();
        if (sequences == null || sequences.length == 0) throw new IllegalArgumentException("the batch of token sequences is empty");
        for (int b = 0; b < sequences.length; b++) {
            int[] s = sequences[b];
            if (s.length == 0) throw new IllegalArgumentException("sequence " + b + " is empty: the forward needs at least one token");
            if (s.length > config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("sequence " + b + " has " + s.length + " tokens, more than max_position_embeddings "
                        + config.maxPositionEmbeddings());
            }
            for (int t = 0; t < s.length; t++) {
                if (s[t] < 0 || s[t] >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + s[t] + " at sequence " + b + ", position " + t
                            + " is outside the vocabulary 0.." + (config.vocabSize() - 1));
                }
            }
        }
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= layers.size()) {
            throw new IllegalArgumentException("layer " + layer + " is out of range 0.." + (layers.size() - 1));
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this TransformerForward is closed");
    }

    private static int[][] copy(int[][] tokens) {
        return Arrays.stream(tokens).map(int[]::clone).toArray(int[][]::new);
    }

    /** Frees the native weights this instance uploaded (for a view: only its replaced layer). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        owned.close();
    }

    @Override
    public String toString() {
        return "TransformerForward[" + checkpoint.source().map(Object::toString).orElse("(in memory)") + ", " + dtype
                + ", " + deviceName() + (isView ? ", view" : "") + "]";
    }
}
