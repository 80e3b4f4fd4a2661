package dev.editgate.gate.shapes;

import dev.editgate.core.model.ModelConfig;
import dev.editgate.core.model.NormKind;
import dev.editgate.core.model.PositionKind;
import dev.editgate.core.safetensors.DType;
import dev.editgate.fixtures.FixtureSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The options of one generated model, before they become a config: what {@link ShapeGen} draws and what a
 * one-option flip changes. Options a family does not have keep their neutral value (e.g. {@code tied} is false for
 * GPT-NeoX, {@code headDimMode} 0 outside the Llama family). Every option's first value is its simplest.
 *
 * @param modelType   gpt_neox, llama, mistral, qwen2 or gpt2
 * @param layers      1..{@value ShapeGen#MAX_LAYERS}
 * @param kvHeads     KV heads (equal to heads outside the Llama family)
 * @param groupSize   query heads per KV head (1 outside the Llama family)
 * @param headDim     per-head width, one of {@link ShapeGen#HEAD_DIMS}
 * @param headDimMode 0: hidden = heads × head_dim; 1: hidden = 2 × heads × head_dim; 2: hidden = heads × head_dim / 2
 *                    (the last two write an explicit head_dim ≠ hidden / heads; Llama family only)
 * @param mlpFactor   intermediate = mlpFactor × hidden
 * @param rotaryPct   rotary fraction of head_dim (GPT-NeoX; 1 elsewhere)
 * @param bias        attention biases (GPT-NeoX and Llama {@code attention_bias}; always on for Qwen2 and GPT-2, off for Mistral)
 * @param tied        tied input and output embeddings (Llama family and GPT-2)
 * @param parallel    parallel residual (GPT-NeoX)
 * @param dtype       the stored weights' dtype
 * @param weightSeed  seed of the random weights
 */
public record Shape(String modelType, int layers, int kvHeads, int groupSize, int headDim, int headDimMode, int mlpFactor,
                    double rotaryPct, boolean bias, boolean tied, boolean parallel, DType dtype, long weightSeed) {

    /** Tokens in every generated model's vocabulary (the fixtures' byte-level tokenizer needs at least its 273). */
    static final int VOCAB = 320;
    static final int MAX_POSITIONS = 128;

    public Shape {
        if (kvHeads < 1 || groupSize < 1 || layers < 1) throw new IllegalArgumentException("shape needs positive layers and heads");
    }

    public int heads() { return kvHeads * groupSize; }

    /** hidden_size, from heads, head_dim and the head_dim mode. */
    public int hidden() {
        int width = heads() * headDim;
        return switch (headDimMode) {
            case 0 -> width;
            case 1 -> 2 * width;
            case 2 -> width / 2;
            default -> throw new IllegalStateException("head_dim mode " + headDimMode);
        };
    }

    public int intermediate() { return mlpFactor * hidden(); }

    /** The family's adapter name: gpt_neox, llama (also for mistral and qwen2) or gpt2. */
    public String family() {
        return switch (modelType) {
            case "gpt_neox", "gpt2" -> modelType;
            default -> "llama";
        };
    }

    /** The config this shape describes, as it reads back from its own config.json. */
    public ModelConfig config() {
        int hidden = hidden(), heads = heads();
        ModelConfig c = switch (family()) {
            case "gpt_neox" -> new ModelConfig("gpt_neox", VOCAB, hidden, layers, heads, heads, headDim, intermediate(), NormKind.LAYER_NORM,
                    1e-5, "gelu", false, PositionKind.ROTARY, rotaryPct, 10000, Optional.empty(), MAX_POSITIONS, bias, bias, true, parallel,
                    false, dtype.torchName(), 0);
            case "gpt2" -> new ModelConfig("gpt2", VOCAB, hidden, layers, heads, heads, headDim, intermediate(), NormKind.LAYER_NORM, 1e-5,
                    "gelu_new", false, PositionKind.LEARNED, 1.0, 10000, Optional.empty(), MAX_POSITIONS, true, true, true, false, tied,
                    dtype.torchName(), 0);
            default -> new ModelConfig(modelType, VOCAB, hidden, layers, heads, kvHeads, headDim, intermediate(), NormKind.RMS_NORM, 1e-5,
                    "silu", true, PositionKind.ROTARY, 1.0, 10000, Optional.empty(), MAX_POSITIONS, bias, bias && modelType.equals("llama"),
                    false, false, tied, dtype.torchName(), 0);
        };
        return dev.editgate.core.model.Architectures.parse(c.toJson());
    }

    /** The fixture that writes this shape's checkpoint (config.json, model.safetensors, tokenizer.json). */
    public FixtureSpec fixture() {
        return new FixtureSpec("shape-" + modelType.replace('_', '-'), config(), dtype, weightSeed);
    }

    /** Parameters of the model (what "smallest" means when picking models for the functional stage). */
    public long parameterCount() {
        return dev.editgate.core.model.ModelLayout.of(config(), java.util.Set.of()).tensorTable().stream()
                .mapToLong(t -> java.util.Arrays.stream(t.shape()).reduce(1, (a, b) -> a * b)).sum();
    }

    /** One line: {@code llama: 1 layer, 2 heads / 1 KV head (group 2), head_dim 4, hidden 8, mlp 8, no biases, untied, F32}. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        parts.add(layers + (layers == 1 ? " layer" : " layers"));
        String kv = family().equals("llama") ? " / " + kvHeads + (kvHeads == 1 ? " KV head" : " KV heads") + " (group " + groupSize + ")" : "";
        parts.add(heads() + (heads() == 1 ? " head" : " heads") + kv);
        parts.add("head_dim " + headDim + (headDimMode == 0 ? "" : " (explicit, ≠ hidden/heads)"));
        parts.add("hidden " + hidden());
        parts.add("mlp " + intermediate());
        if (family().equals("gpt_neox")) {
            parts.add("rotary " + rotaryPct);
            parts.add(parallel ? "parallel residual" : "sequential residual");
        }
        parts.add(bias ? "biases" : "no biases");
        if (!family().equals("gpt_neox")) parts.add(tied ? "tied embeddings" : "untied embeddings");
        parts.add(dtype.name());
        return modelType + ": " + String.join(", ", parts);
    }
}
