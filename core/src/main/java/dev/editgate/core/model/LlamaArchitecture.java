package dev.editgate.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.editgate.core.config.ConfigFields;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Llama family: {@code LlamaForCausalLM}, {@code MistralForCausalLM}, {@code Qwen2ForCausalLM} (GUIDE §2b).
 * Separate {@code q_proj/k_proj/v_proj/o_proj} (torch Linear {@code [out, in]}), grouped-query attention (query
 * head h reads KV head {@code h / (heads / kv_heads)}), RMSNorm, SwiGLU, RoPE over the full head_dim.
 * Head h's q is rows {@code h*hd ..} of {@code q_proj}; KV head j's k and v are rows {@code j*hd ..} of
 * {@code k_proj}/{@code v_proj}; head h owns columns {@code h*hd ..} of {@code o_proj}.
 * Differences inside the family: Llama's {@code attention_bias} gives q/k/v <i>and</i> o biases and
 * {@code mlp_bias} MLP biases; Mistral has none; Qwen2 always has q/k/v biases and never an o bias.
 */
public final class LlamaArchitecture implements Architecture {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override public String family() { return "llama"; }

    @Override public List<String> modelTypes() { return List.of("llama", "mistral", "qwen2"); }

    @Override
    public String headMeaning() {
        return "q_proj rows [heads, head_dim], k_proj/v_proj rows [kv_heads, head_dim], o_proj columns [heads, head_dim]; "
                + "a query head moves only inside its KV group unless the whole group moves";
    }

    @Override
    public ModelConfig parseConfig(JsonNode root) {
        ConfigFields r = ConfigFields.of(root, "config.json");
        String type = r.optionalString("model_type", "llama");
        int hidden = r.requiredInt("hidden_size", 1, ModelConfig.MAX_DIM);
        int heads = r.requiredInt("num_attention_heads", 1, ModelConfig.MAX_DIM);
        int kvHeads = r.optionalInt("num_key_value_heads", heads, 0, ModelConfig.MAX_DIM);
        if (heads <= 0) throw new IllegalArgumentException("config.json: num_attention_heads must be positive, got " + heads);
        if (!r.has("head_dim") && hidden % heads != 0) {
            throw new IllegalArgumentException("config.json: hidden_size " + hidden + " is not divisible by num_attention_heads "
                    + heads + " and there is no head_dim");
        }
        int headDim = r.optionalInt("head_dim", hidden / heads, 0, ModelConfig.MAX_DIM);
        String act = r.optionalString("hidden_act", "silu");
        if (!act.equals("silu")) throw new IllegalArgumentException("config.json: hidden_act '" + act + "' is not supported for " + type + "; expected silu");
        boolean qwen2 = type.equals("qwen2"), mistral = type.equals("mistral");
        boolean attentionBias = !mistral && !qwen2 && r.optionalBoolean("attention_bias", false);
        boolean mlpBias = type.equals("llama") && r.optionalBoolean("mlp_bias", false);
        int sliding = 0;
        if (mistral) sliding = r.optionalInt("sliding_window", 0, 0, ModelConfig.MAX_DIM);
        if (qwen2 && r.optionalBoolean("use_sliding_window", false)) sliding = r.optionalInt("sliding_window", 0, 0, ModelConfig.MAX_DIM);
        int defaultMaxPos = mistral ? 131072 : qwen2 ? 32768 : 2048;
        return new ModelConfig(type, r.requiredInt("vocab_size", 1, ModelConfig.MAX_DIM), hidden, r.requiredInt("num_hidden_layers", 1, ModelConfig.MAX_DIM), heads, kvHeads,
                headDim, r.requiredInt("intermediate_size", 1, ModelConfig.MAX_DIM), NormKind.RMS_NORM, r.optionalDouble("rms_norm_eps", 1e-6, 0, Double.MAX_VALUE), act, true,
                PositionKind.ROTARY, 1.0, r.optionalDouble("rope_theta", 10000, 0, Double.MAX_VALUE), ropeScaling(r),
                r.optionalInt("max_position_embeddings", defaultMaxPos, 0, ModelConfig.MAX_DIM), attentionBias || qwen2, attentionBias, mlpBias, false,
                r.optionalBoolean("tie_word_embeddings", false), r.optionalString("torch_dtype", "float32"), sliding);
    }

    private static Optional<RopeScaling> ropeScaling(ConfigFields r) {
        if (r.optionalObject("rope_scaling").isEmpty()) return Optional.empty();
        ConfigFields s = r.optionalObject("rope_scaling").get();
        String type = s.optionalString("rope_type", s.optionalString("type", "default"));
        if (type.equals("default")) return Optional.empty();
        if (!type.equals("llama3")) {
            throw new IllegalArgumentException("config.json: rope_scaling type '" + type + "' is not supported; editgate implements llama3");
        }
        return Optional.of(new RopeScaling(s.optionalDouble("factor", 8, 0, Double.MAX_VALUE), s.optionalDouble("low_freq_factor", 1, 0, Double.MAX_VALUE),
                s.optionalDouble("high_freq_factor", 4, 0, Double.MAX_VALUE), s.optionalInt("original_max_position_embeddings", 8192, 0, ModelConfig.MAX_DIM)));
    }

    @Override
    public ObjectNode toConfigJson(ModelConfig c) {
        ObjectNode o = JSON.createObjectNode();
        String arch = switch (c.modelType()) {
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            default -> "LlamaForCausalLM";
        };
        o.putArray("architectures").add(arch);
        o.put("model_type", c.modelType());
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("num_hidden_layers", c.numHiddenLayers());
        o.put("num_attention_heads", c.numAttentionHeads());
        o.put("num_key_value_heads", c.numKeyValueHeads());
        o.put("head_dim", c.headDim());
        o.put("intermediate_size", c.intermediateSize());
        o.put("hidden_act", c.hiddenAct());
        o.put("rms_norm_eps", c.normEps());
        o.put("rope_theta", c.ropeTheta());
        if (c.ropeScaling().isPresent()) {
            RopeScaling s = c.ropeScaling().get();
            ObjectNode rs = o.putObject("rope_scaling");
            rs.put("rope_type", "llama3");
            rs.put("factor", s.factor());
            rs.put("low_freq_factor", s.lowFreqFactor());
            rs.put("high_freq_factor", s.highFreqFactor());
            rs.put("original_max_position_embeddings", s.originalMaxPositionEmbeddings());
        } else {
            o.putNull("rope_scaling");
        }
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        if (c.modelType().equals("llama")) {
            o.put("attention_bias", c.qkvBias());
            o.put("mlp_bias", c.mlpBias());
        }
        if (c.modelType().equals("mistral")) {
            if (c.slidingWindow() > 0) o.put("sliding_window", c.slidingWindow()); else o.putNull("sliding_window");
        }
        if (c.modelType().equals("qwen2")) o.put("use_sliding_window", false);
        o.put("tie_word_embeddings", c.tiedEmbeddings());
        o.put("bos_token_id", 1);
        o.put("eos_token_id", 2);
        o.put("initializer_range", 0.02);
        o.put("torch_dtype", c.torchDtype());
        return o;
    }

    @Override
    public TensorNames names(ModelConfig c, Set<String> present) {
        boolean qkvBias = c.qkvBias(), oBias = c.outputBias(), mlpBias = c.mlpBias(), tied = c.tiedEmbeddings();
        return (role, i) -> {
            String l = "model.layers." + i + ".";
            return switch (role) {
                case EMBED -> "model.embed_tokens.weight";
                case LN1_WEIGHT -> l + "input_layernorm.weight";
                case LN2_WEIGHT -> l + "post_attention_layernorm.weight";
                case Q_WEIGHT -> l + "self_attn.q_proj.weight";
                case K_WEIGHT -> l + "self_attn.k_proj.weight";
                case V_WEIGHT -> l + "self_attn.v_proj.weight";
                case Q_BIAS -> qkvBias ? l + "self_attn.q_proj.bias" : null;
                case K_BIAS -> qkvBias ? l + "self_attn.k_proj.bias" : null;
                case V_BIAS -> qkvBias ? l + "self_attn.v_proj.bias" : null;
                case O_WEIGHT -> l + "self_attn.o_proj.weight";
                case O_BIAS -> oBias ? l + "self_attn.o_proj.bias" : null;
                case MLP_GATE_WEIGHT -> l + "mlp.gate_proj.weight";
                case MLP_UP_WEIGHT -> l + "mlp.up_proj.weight";
                case MLP_DOWN_WEIGHT -> l + "mlp.down_proj.weight";
                case MLP_GATE_BIAS -> mlpBias ? l + "mlp.gate_proj.bias" : null;
                case MLP_UP_BIAS -> mlpBias ? l + "mlp.up_proj.bias" : null;
                case MLP_DOWN_BIAS -> mlpBias ? l + "mlp.down_proj.bias" : null;
                case FINAL_NORM_WEIGHT -> "model.norm.weight";
                case UNEMBED -> tied ? null : "lm_head.weight";
                default -> null;
            };
        };
    }

    @Override
    public List<TensorSpec> tensorTable(ModelConfig c, TensorNames n) {
        long d = c.hiddenSize(), v = c.vocabSize(), ff = c.intermediateSize(), q = c.queryWidth(), kv = c.keyValueWidth();
        TableBuilder t = new TableBuilder(n);
        t.global(TensorRole.EMBED, v, d);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            t.layer(i, TensorRole.LN1_WEIGHT, d)
             .layer(i, TensorRole.Q_WEIGHT, q, d).layer(i, TensorRole.Q_BIAS, q)
             .layer(i, TensorRole.K_WEIGHT, kv, d).layer(i, TensorRole.K_BIAS, kv)
             .layer(i, TensorRole.V_WEIGHT, kv, d).layer(i, TensorRole.V_BIAS, kv)
             .layer(i, TensorRole.O_WEIGHT, d, q).layer(i, TensorRole.O_BIAS, d)
             .layer(i, TensorRole.LN2_WEIGHT, d)
             .layer(i, TensorRole.MLP_GATE_WEIGHT, ff, d).layer(i, TensorRole.MLP_GATE_BIAS, ff)
             .layer(i, TensorRole.MLP_UP_WEIGHT, ff, d).layer(i, TensorRole.MLP_UP_BIAS, ff)
             .layer(i, TensorRole.MLP_DOWN_WEIGHT, d, ff).layer(i, TensorRole.MLP_DOWN_BIAS, d);
        }
        t.global(TensorRole.FINAL_NORM_WEIGHT, d).global(TensorRole.UNEMBED, v, d);
        return t.build();
    }

    @Override
    public boolean isBuffer(String name) {
        return name.endsWith(".rotary_emb.inv_freq");
    }

    @Override
    public HeadView heads(ModelConfig c, TensorNames n, int layer) {
        int heads = c.numAttentionHeads(), kv = c.numKeyValueHeads(), hd = c.headDim();
        List<BlockSet> parts = new ArrayList<>();
        parts.add(BlockSet.strided(BlockKind.Q, false, "q_proj", n.name(TensorRole.Q_WEIGHT, layer), 0, hd, heads, 0, hd));
        parts.add(BlockSet.strided(BlockKind.K, false, "k_proj", n.name(TensorRole.K_WEIGHT, layer), 0, hd, kv, 0, hd));
        parts.add(BlockSet.strided(BlockKind.V, false, "v_proj", n.name(TensorRole.V_WEIGHT, layer), 0, hd, kv, 0, hd));
        if (c.qkvBias()) {
            parts.add(BlockSet.strided(BlockKind.Q, true, "q_proj bias", n.name(TensorRole.Q_BIAS, layer), 0, hd, heads, 0, hd));
            parts.add(BlockSet.strided(BlockKind.K, true, "k_proj bias", n.name(TensorRole.K_BIAS, layer), 0, hd, kv, 0, hd));
            parts.add(BlockSet.strided(BlockKind.V, true, "v_proj bias", n.name(TensorRole.V_BIAS, layer), 0, hd, kv, 0, hd));
        }
        parts.add(BlockSet.strided(BlockKind.O, false, "o_proj", n.name(TensorRole.O_WEIGHT, layer), 1, hd, heads, 0, hd));
        return new HeadView(layer, heads, kv, hd, parts);
    }

    /** q/k/v moved along their input axis (columns of {@code [out, in]}); o_proj moved along its rows. */
    @Override
    public List<MistakenLayout> mistakenLayouts(HeadView view) {
        List<MistakenLayout> out = new ArrayList<>();
        int hd = view.headDim();
        for (BlockSet s : view.parts()) {
            if (s.bias()) continue;
            String name = s.label();
            if (s.kind() == BlockKind.O) {
                out.add(new MistakenLayout("o-rows", s.tensor(), "o_proj rows were permuted instead of columns (head h owns columns h·hd..(h+1)·hd-1 of o_proj.weight [out, in])",
                        List.of(BlockSet.strided(BlockKind.O, false, "o_proj rows", s.tensor(), 0, hd, s.count(), 0, hd))));
            } else {
                out.add(new MistakenLayout("input-axis", s.tensor(), name + " was permuted on its input axis (columns); head h owns rows h·hd..(h+1)·hd-1 of "
                        + name + ".weight [out, in]", List.of(BlockSet.strided(s.kind(), false, name + " columns", s.tensor(), 1, hd, s.count(), 0, hd))));
            }
        }
        return out;
    }

    @Override
    public NeuronView neurons(ModelConfig c, TensorNames n, int layer) {
        int ff = c.intermediateSize();
        List<BlockSet> parts = new ArrayList<>();
        parts.add(BlockSet.strided(BlockKind.MLP_GATE, false, "gate_proj", n.name(TensorRole.MLP_GATE_WEIGHT, layer), 0, 1, ff, 0, 1));
        parts.add(BlockSet.strided(BlockKind.MLP_IN, false, "up_proj", n.name(TensorRole.MLP_UP_WEIGHT, layer), 0, 1, ff, 0, 1));
        if (c.mlpBias()) {
            parts.add(BlockSet.strided(BlockKind.MLP_GATE, true, "gate_proj bias", n.name(TensorRole.MLP_GATE_BIAS, layer), 0, 1, ff, 0, 1));
            parts.add(BlockSet.strided(BlockKind.MLP_IN, true, "up_proj bias", n.name(TensorRole.MLP_UP_BIAS, layer), 0, 1, ff, 0, 1));
        }
        parts.add(BlockSet.strided(BlockKind.MLP_OUT, false, "down_proj", n.name(TensorRole.MLP_DOWN_WEIGHT, layer), 1, 1, ff, 0, 1));
        return new NeuronView(layer, ff, parts);
    }
}
