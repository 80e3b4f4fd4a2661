package dev.editgate.core.model;

import java.util.Optional;

/**
 * What editgate needs to know about a model, whatever its family: one record that every architecture's
 * config parser produces from its {@code config.json} ({@link Architecture#parseConfig}).
 *
 * @param modelType         {@code config.json}'s {@code model_type}: gpt_neox, llama, mistral, qwen2 or gpt2
 * @param numKeyValueHeads  KV heads; equal to {@code numAttentionHeads} for multi-head attention
 * @param headDim           per-head width (Llama configs may set it; otherwise hidden / heads)
 * @param hiddenAct         gelu (erf), gelu_new (tanh), relu or silu (SwiGLU when {@code gatedMlp})
 * @param gatedMlp          {@code down(act(gate x) * up x)} instead of {@code down(act(up x))}
 * @param rotaryPct         fraction of head_dim that rotary acts on (GPT-NeoX 0.25; Llama 1)
 * @param ropeScaling       llama3 rope scaling, when configured
 * @param qkvBias           q/k/v projections have biases
 * @param outputBias        the attention output projection has a bias
 * @param mlpBias           the MLP projections have biases
 * @param parallelResidual  {@code x + attn(ln1 x) + mlp(ln2 x)} instead of two sequential residual steps
 * @param tiedEmbeddings    the unembedding is the token embedding (no separate tensor in the file)
 * @param slidingWindow     Mistral's sliding window, 0 when there is none
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int intermediateSize,
        NormKind norm,
        double normEps,
        String hiddenAct,
        boolean gatedMlp,
        PositionKind positions,
        double rotaryPct,
        double ropeTheta,
        Optional<RopeScaling> ropeScaling,
        int maxPositionEmbeddings,
        boolean qkvBias,
        boolean outputBias,
        boolean mlpBias,
        boolean parallelResidual,
        boolean tiedEmbeddings,
        String torchDtype,
        int slidingWindow) {

    /** Sanity bound on every size in a config, far above any published model, checked before anything is sized from it. */
    public static final int MAX_DIM = 1 << 26;
    public static final int MAX_LAYERS = 10_000;

    public ModelConfig {
        require(numHiddenLayers <= MAX_LAYERS, "the number of layers " + numHiddenLayers + " exceeds " + MAX_LAYERS);
        require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        require(hiddenSize > 0, "hidden size must be positive, got " + hiddenSize);
        require(numHiddenLayers > 0, "the number of layers must be positive, got " + numHiddenLayers);
        require(numAttentionHeads > 0, "the number of attention heads must be positive, got " + numAttentionHeads);
        require(numKeyValueHeads > 0 && numAttentionHeads % numKeyValueHeads == 0,
                "num_key_value_heads " + numKeyValueHeads + " must divide num_attention_heads " + numAttentionHeads);
        require(headDim > 0, "head_dim must be positive, got " + headDim);
        require(intermediateSize > 0, "intermediate size must be positive, got " + intermediateSize);
        require(normEps > 0, "the norm epsilon must be positive, got " + normEps);
        require(maxPositionEmbeddings > 0, "max_position_embeddings must be positive, got " + maxPositionEmbeddings);
        require(slidingWindow >= 0, "sliding_window must not be negative, got " + slidingWindow);
        if (positions == PositionKind.ROTARY) {
            require(rotaryPct > 0 && rotaryPct <= 1, "rotary fraction must be in (0, 1], got " + rotaryPct);
            require(ropeTheta > 0, "rope theta must be positive, got " + ropeTheta);
            int rd = (int) (headDim * rotaryPct);
            require(rd % 2 == 0 && rd > 0, "rotary dims int(head_dim * rotary_pct) = " + rd + " must be even and positive");
        }
        ropeScaling = ropeScaling == null ? Optional.empty() : ropeScaling;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("config.json: " + message);
    }

    /** The adapter that reads and lays out this family. */
    public Architecture architecture() {
        return Architectures.forModelType(modelType);
    }

    /** Query heads per KV head ({@code heads / kv_heads}); 1 for multi-head attention. */
    public int groupSize() { return numAttentionHeads / numKeyValueHeads; }

    /** Width of all query heads together ({@code heads * head_dim}); equals hidden size except where head_dim is set. */
    public int queryWidth() { return numAttentionHeads * headDim; }

    /** Width of all KV heads together. */
    public int keyValueWidth() { return numKeyValueHeads * headDim; }

    /** {@code int(head_dim * rotary_pct)}, as transformers computes it. */
    public int rotaryNdims() { return (int) (headDim * rotaryPct); }

    /** Alias of {@link #normEps()} kept for GPT-NeoX code. */
    public double layerNormEps() { return normEps; }

    /** Alias of {@link #parallelResidual()} kept for GPT-NeoX code. */
    public boolean useParallelResidual() { return parallelResidual; }

    /** Alias of {@link #qkvBias()} kept for GPT-NeoX code. */
    public boolean attentionBias() { return qkvBias; }

    /** Alias of {@link #ropeTheta()} kept for GPT-NeoX code. */
    public double rotaryEmbBase() { return ropeTheta; }

    /** The config.json Hugging Face would load for this model. */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        return architecture().toConfigJson(this);
    }

    /** Writes {@link #toJson()} to {@code file}, pretty-printed. */
    public void write(java.nio.file.Path file) {
        try {
            java.nio.file.Files.writeString(file, new com.fasterxml.jackson.databind.ObjectMapper()
                    .writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    /** A one-line summary for reports, e.g. {@code llama: 2 layers, 8 heads / 2 KV heads of 8, hidden 48}. */
    public String summary() {
        String kv = numKeyValueHeads == numAttentionHeads ? "" : " / " + numKeyValueHeads + " KV heads";
        return modelType + ": " + numHiddenLayers + " layers, " + numAttentionHeads + " heads" + kv + " of " + headDim
                + ", hidden " + hiddenSize + ", mlp " + intermediateSize + ", vocab " + vocabSize;
    }
}
