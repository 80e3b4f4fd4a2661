package dev.editgate.core.forward;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Hugging Face {@code GPTNeoXForCausalLM} (eval mode, no KV cache) on DJL's PyTorch engine.
 *
 * <p>Semantics (GUIDE §2): fused QKV rows laid out {@code [heads, 3, headDim]}; partial rotary on the first
 * {@code rotary_ndims} dims of q and k with {@code rotate_half}; scores scaled by {@code 1/sqrt(headDim)};
 * causal mask with {@code -inf}; softmax in fp32 for fp16 inputs; exact erf GELU; parallel or sequential
 * residual; final LayerNorm; untied unembedding without bias. Rotary tables are computed the way
 * transformers does (float32 {@code inv_freq}, float32 angles) for fp32/fp16 and in double for fp64.
 *
 * <p>Weights are uploaded once in the compute dtype into this model's manager; each forward runs in its own
 * sub-manager that is closed before the method returns, and only Java arrays leave it. Not thread-safe.
 */
public final class GptNeoxForward implements AutoCloseable {
    private static final String ENGINE = "PyTorch";

    private final Checkpoint checkpoint;      // kept: zero-copy weights point into its buffers
    private final GptNeoxConfig config;
    private final ComputeDtype dtype;
    private final NDManager root;             // parent of every per-forward scope
    private final NDManager owned;            // what close() frees: all weights, or one layer for a view
    private final NDArray finalLnWeight;
    private final NDArray finalLnBias;
    private final NDArray unembedding;        // [V, C]
    private final List<LayerWeights> layers;
    private final Tensor embedIn;             // [V, C], looked up in Java: a gather of B*T rows
    private final boolean isView;
    private boolean closed;

    private GptNeoxForward(Checkpoint checkpoint, ComputeDtype dtype, NDManager root, NDManager owned,
                           NDArray finalLnWeight, NDArray finalLnBias, NDArray unembedding,
                           List<LayerWeights> layers, boolean isView) {
        this.checkpoint = checkpoint;
        this.config = checkpoint.config();
        this.dtype = dtype;
        this.root = root;
        this.owned = owned;
        this.finalLnWeight = finalLnWeight;
        this.finalLnBias = finalLnBias;
        this.unembedding = unembedding;
        this.layers = List.copyOf(layers);
        this.embedIn = checkpoint.tensor(GptNeoxNames.EMBED_IN);
        this.isView = isView;
    }

    /**
     * Uploads {@code ck} in {@code dtype} to {@code device}: "cpu", "gpu" (fails when DJL sees none) or
     * "auto" (the first GPU when DJL sees one, else the CPU). The device is chosen here, once.
     */
    public static GptNeoxForward load(Checkpoint ck, ComputeDtype dtype, String device) {
        GptNeoxConfig c = ck.config();
        if (!c.attentionBias()) {
            throw new IllegalArgumentException("config.json: attention_bias=false is not supported by the forward");
        }
        Device dev = chooseDevice(device);
        NDManager root = NDManager.newBaseManager(dev, ENGINE);
        try {
            DataType dt = dtype.djl();
            List<LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < c.numHiddenLayers(); i++) layers.add(LayerWeights.upload(root, ck, i, dt));
            NDArray lnW = LayerWeights.upload(root, ck.tensor(GptNeoxNames.FINAL_LN_WEIGHT), dt);
            NDArray lnB = LayerWeights.upload(root, ck.tensor(GptNeoxNames.FINAL_LN_BIAS), dt);
            NDArray unembed = LayerWeights.upload(root, ck.unembedding(), dt);
            return new GptNeoxForward(ck, dtype, root, root, lnW, lnB, unembed, layers, false);
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
     * whose tensors are uploaded from {@code edited}. {@code edited} must differ from this model's checkpoint
     * only in that layer (not checked beyond the config). Closing the view frees only what it uploaded; close
     * views before the model they came from.
     */
    public GptNeoxForward withLayerReplaced(int layer, Checkpoint edited) {
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
            ls.set(layer, LayerWeights.upload(mine, edited, layer, dtype.djl()));
            return new GptNeoxForward(edited, dtype, root, mine, finalLnWeight, finalLnBias, unembedding, ls, true);
        } catch (RuntimeException e) {
            mine.close();
            throw e;
        }
    }

    public ComputeDtype dtype() { return dtype; }

    public GptNeoxConfig config() { return config; }

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
            for (int i = 0; i < layers.size(); i++) x = layer(i, x, rope, null, null);
            return toLogits(m, x, tokens.length, tokens[0].length);
        }
    }

    /** The residual stream before each layer and after the last. */
    public ResidualCache residuals(int[][] tokens) {
        checkTokens(tokens);
        try (NDManager m = root.newSubManager()) {
            List<double[]> streams = new ArrayList<>();
            NDArray x = embed(m, tokens);                               // (B, T, C)
            NDArray[] rope = rotaryTables(m, tokens[0].length);
            for (int i = 0; i < layers.size(); i++) {
                streams.add(toDoubles(x));
                x = layer(i, x, rope, null, null);
            }
            streams.add(toDoubles(x));
            return new ResidualCache(copy(tokens), config.hiddenSize(), dtype, streams);
        }
    }

    /**
     * Runs layers {@code layer..end}, the final norm and the unembedding from the cached residual stream
     * entering {@code layer}: nothing below {@code layer} is recomputed. The cache may come from another
     * model with the same layers below (e.g. the original, for an edit of {@code layer} or above).
     */
    public Logits logitsFrom(int layer, ResidualCache cache) {
        checkOpen();
        if (cache.hidden() != config.hiddenSize()) {
            throw new IllegalArgumentException("residual cache has hidden size " + cache.hidden() + ", the model " + config.hiddenSize());
        }
        int batch = cache.batch();
        int seq = cache.seq();
        try (NDManager m = root.newSubManager()) {
            NDArray x = fromDoubles(m, cache.before(layer), new Shape(batch, seq, config.hiddenSize())); // (B, T, C)
            NDArray[] rope = rotaryTables(m, seq);
            for (int i = layer; i < layers.size(); i++) x = layer(i, x, rope, null, null);
            return toLogits(m, x, batch, seq);
        }
    }

    /** Everything layer {@code layer} computes for {@code tokens}; layers above it are not run. */
    public LayerTrace trace(int[][] tokens, int layer) {
        checkTokens(tokens);
        checkLayer(layer);
        try (NDManager m = root.newSubManager()) {
            NDArray x = embed(m, tokens);                               // (B, T, C)
            NDArray[] rope = rotaryTables(m, tokens[0].length);
            for (int i = 0; i < layer; i++) x = layer(i, x, rope, null, null);
            Capture cap = new Capture();
            double[] in = toDoubles(x);
            NDArray out = layer(layer, x, rope, null, cap);
            return new LayerTrace(layer, tokens.length, tokens[0].length, config.hiddenSize(), in, cap.z,
                    cap.attentionOut, cap.mlpOut, toDoubles(out));
        }
    }

    /** Logits with layer {@code layer}'s per-head z changed by {@code f} before {@code dense}. */
    public Logits logitsWithZ(int[][] tokens, int layer, ZIntervention f) {
        checkTokens(tokens);
        checkLayer(layer);
        try (NDManager m = root.newSubManager()) {
            NDArray x = embed(m, tokens);                               // (B, T, C)
            NDArray[] rope = rotaryTables(m, tokens[0].length);
            for (int i = 0; i < layers.size(); i++) x = layer(i, x, rope, i == layer ? f : null, null);
            return toLogits(m, x, tokens.length, tokens[0].length);
        }
    }

    // ------------------------------------------------------------------ the forward

    /** What a traced layer hands back. */
    private static final class Capture {
        HeadZ z;
        double[] attentionOut;
        double[] mlpOut;
    }

    /** Token embeddings, gathered in Java from the checkpoint's (mmapped) {@code embed_in}. */
    private NDArray embed(NDManager m, int[][] tokens) {
        int batch = tokens.length;
        int seq = tokens[0].length;
        int hidden = config.hiddenSize();
        double[] out = new double[batch * seq * hidden];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                long row = (long) tokens[b][t] * hidden;
                int dst = (b * seq + t) * hidden;
                for (int c = 0; c < hidden; c++) out[dst + c] = embedIn.getDouble(row + c);
            }
        }
        return fromDoubles(m, out, new Shape(batch, seq, hidden));     // (B, T, C)
    }

    /** One transformer layer on x (B, T, C); returns the new residual stream (B, T, C). */
    private NDArray layer(int i, NDArray x, NDArray[] rope, ZIntervention zHook, Capture capture) {
        LayerWeights w = layers.get(i);
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int hd = config.headDim();
        int hidden = config.hiddenSize();
        float eps = (float) config.layerNormEps();

        // ---- attention
        NDArray h = layerNorm(x, w.ln1Weight(), w.ln1Bias(), eps);                 // (B, T, C)
        NDArray qkv = Linear.linear(h, w.qkvWeight(), w.qkvBias()).singletonOrThrow(); // (B, T, 3C)
        qkv = qkv.reshape(batch, seq, heads, 3L * hd)                              // (B, T, nh, 3*hd)
                .transpose(0, 2, 1, 3);                                            // (B, nh, T, 3*hd)
        NDList parts = qkv.split(new long[] {hd, 2L * hd}, 3);
        NDArray q = applyRotary(parts.get(0), rope);                               // (B, nh, T, hd)
        NDArray k = applyRotary(parts.get(1), rope);                               // (B, nh, T, hd)
        NDArray v = parts.get(2);                                                  // (B, nh, T, hd)

        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2))                         // (B, nh, T, T)
                .mul(1.0 / Math.sqrt(hd));
        if (dtype == ComputeDtype.FLOAT16) scores = scores.toType(DataType.FLOAT32, false);
        NDArray probs = scores.add(rope[2]).softmax(-1);                           // (B, nh, T, T), causal
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
        NDArray merged = z.reshape(batch, seq, hidden);                            // (B, T, C)
        NDArray attn = Linear.linear(merged, w.denseWeight(), w.denseBias()).singletonOrThrow(); // (B, T, C)
        if (capture != null) capture.attentionOut = toDoubles(attn);

        // ---- MLP and residual
        if (config.useParallelResidual()) {
            NDArray mlp = mlp(layerNorm(x, w.ln2Weight(), w.ln2Bias(), eps), w);   // (B, T, C)
            if (capture != null) capture.mlpOut = toDoubles(mlp);
            return mlp.add(attn).add(x);                                           // x + attn(ln1 x) + mlp(ln2 x)
        }
        NDArray afterAttn = attn.add(x);                                           // (B, T, C)
        NDArray mlp = mlp(layerNorm(afterAttn, w.ln2Weight(), w.ln2Bias(), eps), w);
        if (capture != null) capture.mlpOut = toDoubles(mlp);
        return mlp.add(afterAttn);
    }

    private NDArray mlp(NDArray h, LayerWeights w) {
        NDArray up = Linear.linear(h, w.upWeight(), w.upBias()).singletonOrThrow();   // (B, T, 4C)
        NDArray act = activation(up);
        return Linear.linear(act, w.downWeight(), w.downBias()).singletonOrThrow();   // (B, T, C)
    }

    private NDArray activation(NDArray x) {
        return switch (config.hiddenAct()) {
            case "gelu" -> Activation.gelu(x);   // torch gelu, approximate='none': x * Φ(x) with erf
            case "gelu_new", "gelu_fast" -> {    // tanh approximation
                NDArray inner = x.pow(3).mul(0.044715).add(x).mul(Math.sqrt(2 / Math.PI));
                yield inner.tanh().add(1).mul(x).mul(0.5);
            }
            case "relu" -> Activation.relu(x);
            default -> throw new IllegalStateException("hidden_act " + config.hiddenAct());
        };
    }

    private static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, float eps) {
        return LayerNorm.layerNorm(x, new Shape(x.getShape().get(2)), weight, bias, eps).singletonOrThrow(); // (B, T, C)
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
        int rd = config.rotaryNdims();
        int half = rd / 2;
        double[] cos = new double[seq * rd];
        double[] sin = new double[seq * rd];
        boolean f64 = dtype == ComputeDtype.FLOAT64;
        double base = config.rotaryEmbBase();
        for (int j = 0; j < half; j++) {
            // transformers: inv_freq = 1 / base^(arange(0, rd, 2).float() / rd), angles = pos.float() * inv_freq
            double invFreq = f64 ? 1.0 / Math.pow(base, (2.0 * j) / rd)
                    : 1.0f / (float) Math.pow(base, (float) (2 * j) / (float) rd);
            for (int t = 0; t < seq; t++) {
                double angle = f64 ? t * invFreq : (float) (t * (float) invFreq);
                double c = f64 ? Math.cos(angle) : (float) Math.cos(angle);
                double s = f64 ? Math.sin(angle) : (float) Math.sin(angle);
                cos[t * rd + j] = c;
                cos[t * rd + j + half] = c;                                        // emb = cat(freqs, freqs)
                sin[t * rd + j] = s;
                sin[t * rd + j + half] = s;
            }
        }
        double[] mask = new double[seq * seq];
        for (int r = 0; r < seq; r++) {
            for (int c = r + 1; c < seq; c++) mask[r * seq + c] = Double.NEGATIVE_INFINITY;
        }
        NDArray maskArray = dtype == ComputeDtype.FLOAT16
                ? m.create(toFloats(mask), new Shape(seq, seq))
                : fromDoubles(m, mask, new Shape(seq, seq));
        return new NDArray[] {fromDoubles(m, cos, new Shape(seq, rd)), fromDoubles(m, sin, new Shape(seq, rd)), maskArray};
    }

    /** Final LayerNorm and unembedding of x (B, T, C), widened into Java. */
    private Logits toLogits(NDManager m, NDArray x, int batch, int seq) {
        NDArray h = layerNorm(x, finalLnWeight, finalLnBias, (float) config.layerNormEps()); // (B, T, C)
        NDArray logits = Linear.linear(h, unembedding).singletonOrThrow();         // (B, T, V)
        return new Logits(batch, seq, config.vocabSize(), toDoubles(logits));
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

    /** Any array back to Java, widened exactly to double. */
    private static double[] toDoubles(NDArray a) {
        return switch (a.getDataType()) {
            case FLOAT64 -> a.toDoubleArray();
            case FLOAT32 -> widen(a.toFloatArray());
            case FLOAT16 -> widen(a.toType(DataType.FLOAT32, false).toFloatArray());
            default -> throw new IllegalStateException("unexpected array type " + a.getDataType());
        };
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
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

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= layers.size()) {
            throw new IllegalArgumentException("layer " + layer + " is out of range 0.." + (layers.size() - 1));
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this GptNeoxForward is closed");
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
        return "GptNeoxForward[" + checkpoint.source().map(Object::toString).orElse("(in memory)") + ", " + dtype
                + ", " + deviceName() + (isView ? ", view" : "") + "]";
    }
}
