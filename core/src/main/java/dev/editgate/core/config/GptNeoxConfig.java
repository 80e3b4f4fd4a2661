package dev.editgate.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The GPT-NeoX fields of a Hugging Face {@code config.json}, with the defaults of
 * {@code transformers.GPTNeoXConfig} for fields a file leaves out.
 */
public record GptNeoxConfig(
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        double rotaryPct,
        double rotaryEmbBase,
        int maxPositionEmbeddings,
        double layerNormEps,
        boolean useParallelResidual,
        boolean attentionBias,
        String torchDtype) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public GptNeoxConfig {
        require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        require(hiddenSize > 0, "hidden_size must be positive, got " + hiddenSize);
        require(numHiddenLayers > 0, "num_hidden_layers must be positive, got " + numHiddenLayers);
        require(numAttentionHeads > 0, "num_attention_heads must be positive, got " + numAttentionHeads);
        require(hiddenSize % numAttentionHeads == 0, "hidden_size " + hiddenSize
                + " must be divisible by num_attention_heads " + numAttentionHeads);
        require(intermediateSize > 0, "intermediate_size must be positive, got " + intermediateSize);
        require(rotaryPct > 0 && rotaryPct <= 1, "rotary_pct must be in (0, 1], got " + rotaryPct);
        require(rotaryEmbBase > 0, "rotary_emb_base must be positive, got " + rotaryEmbBase);
        require(layerNormEps > 0, "layer_norm_eps must be positive, got " + layerNormEps);
        require(maxPositionEmbeddings > 0, "max_position_embeddings must be positive, got " + maxPositionEmbeddings);
        require(hiddenAct.equals("gelu") || hiddenAct.equals("gelu_new") || hiddenAct.equals("gelu_fast") || hiddenAct.equals("relu"),
                "hidden_act '" + hiddenAct + "' is not supported; expected gelu, gelu_new, gelu_fast or relu");
        int rd = (int) ((hiddenSize / numAttentionHeads) * rotaryPct);
        require(rd % 2 == 0, "rotary dims int(head_dim * rotary_pct) = " + rd + " must be even");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("config.json: " + message);
    }

    public int headDim() { return hiddenSize / numAttentionHeads; }

    /** {@code int(head_dim * rotary_pct)}, as transformers computes it. */
    public int rotaryNdims() { return (int) (headDim() * rotaryPct); }

    /** Reads {@code file}; errors name the file and the field. */
    public static GptNeoxConfig read(Path file) {
        JsonNode root;
        try {
            root = dev.editgate.core.files.JsonFiles.read(file, "config.json", null);
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) throw e;
            throw new UncheckedIOException(file + ": config.json not found; a Hugging Face checkpoint folder has one", e.getCause());
        }
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage().replaceFirst("^config\\.json: ", ""), e);
        }
    }

    /**
     * Sanity bounds, far above any published model, so that no value sizes a loop or an allocation before
     * the tensors confirm it (the loader also checks the layer count against the tensor table).
     */
    static final int MAX_VOCAB = 1 << 24, MAX_HIDDEN = 1 << 17, MAX_LAYERS = 10_000, MAX_HEADS = 1 << 14,
            MAX_INTERMEDIATE = 1 << 20, MAX_POSITIONS = 1 << 26;

    public static GptNeoxConfig fromJson(JsonNode root) {
        ConfigFields f = ConfigFields.of(root, "config.json");
        String type = f.optionalString("model_type", "gpt_neox");
        if (!type.equals("gpt_neox")) {
            throw new IllegalArgumentException("config.json: model_type is '" + type + "'; editgate supports 'gpt_neox'");
        }
        // lower bounds are the compact constructor's, with its messages
        return new GptNeoxConfig(
                f.requiredInt("vocab_size", Integer.MIN_VALUE, MAX_VOCAB),
                f.requiredInt("hidden_size", Integer.MIN_VALUE, MAX_HIDDEN),
                f.requiredInt("num_hidden_layers", Integer.MIN_VALUE, MAX_LAYERS),
                f.requiredInt("num_attention_heads", Integer.MIN_VALUE, MAX_HEADS),
                f.requiredInt("intermediate_size", Integer.MIN_VALUE, MAX_INTERMEDIATE),
                f.optionalString("hidden_act", "gelu"),
                number(f, "rotary_pct", "partial_rotary_factor", 0.25),
                number(f, "rotary_emb_base", "rope_theta", 10000),
                f.optionalInt("max_position_embeddings", 2048, Integer.MIN_VALUE, MAX_POSITIONS),
                f.optionalDouble("layer_norm_eps", 1e-5, -Double.MAX_VALUE, Double.MAX_VALUE),
                f.optionalBoolean("use_parallel_residual", true),
                f.optionalBoolean("attention_bias", true),
                f.optionalString("torch_dtype", f.optionalString("dtype", "float32")));
    }

    /** {@code field}, else its newer name {@code alias}, else {@code rope_parameters.alias}, else {@code fallback}. */
    private static double number(ConfigFields f, String field, String alias, double fallback) {
        var key = f.firstPresent(field, alias);
        if (key.isPresent()) return f.optionalDouble(key.get(), fallback, -Double.MAX_VALUE, Double.MAX_VALUE);
        return f.optionalObject("rope_parameters").map(r -> r.optionalDouble(alias, fallback, -Double.MAX_VALUE, Double.MAX_VALUE))
                .orElse(fallback);
    }

    /** The config.json a Hugging Face GPTNeoXForCausalLM would load. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("GPTNeoXForCausalLM");
        o.put("model_type", "gpt_neox");
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("num_hidden_layers", numHiddenLayers);
        o.put("num_attention_heads", numAttentionHeads);
        o.put("intermediate_size", intermediateSize);
        o.put("hidden_act", hiddenAct);
        o.put("rotary_pct", rotaryPct);
        o.put("rotary_emb_base", rotaryEmbBase);
        o.put("max_position_embeddings", maxPositionEmbeddings);
        o.put("layer_norm_eps", layerNormEps);
        o.put("use_parallel_residual", useParallelResidual);
        o.put("attention_bias", attentionBias);
        o.put("tie_word_embeddings", false);
        o.put("bos_token_id", 0);
        o.put("eos_token_id", 0);
        o.put("initializer_range", 0.02);
        o.put("torch_dtype", torchDtype);
        return o;
    }

    public void write(Path file) {
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The family-neutral view of this config. */
    public dev.editgate.core.model.ModelConfig toModelConfig() {
        return new dev.editgate.core.model.ModelConfig("gpt_neox", vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads,
                numAttentionHeads, headDim(), intermediateSize, dev.editgate.core.model.NormKind.LAYER_NORM, layerNormEps,
                hiddenAct, false, dev.editgate.core.model.PositionKind.ROTARY, rotaryPct, rotaryEmbBase, java.util.Optional.empty(),
                maxPositionEmbeddings, attentionBias, attentionBias, true, useParallelResidual, false, torchDtype, 0);
    }

    /** The GPT-NeoX config of a family-neutral one (which must describe a GPT-NeoX model). */
    public static GptNeoxConfig fromModelConfig(dev.editgate.core.model.ModelConfig c) {
        if (!c.modelType().equals("gpt_neox")) throw new IllegalArgumentException("not a GPT-NeoX config: " + c.modelType());
        return new GptNeoxConfig(c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.intermediateSize(),
                c.hiddenAct(), c.rotaryPct(), c.ropeTheta(), c.maxPositionEmbeddings(), c.normEps(), c.parallelResidual(),
                c.qkvBias(), c.torchDtype());
    }

    /** pythia-160m's exact configuration. */
    public static GptNeoxConfig pythia160m() {
        return new GptNeoxConfig(50304, 768, 12, 12, 3072, "gelu", 0.25, 10000, 2048, 1e-5, true, true, "float16");
    }
}
