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
 * GPT-2 ({@code GPT2LMHeadModel}, GUIDE §2b). Its Conv1D stores weights <b>{@code [in, out]}</b> ({@code y = x @ W + b}),
 * and the fused {@code c_attn [d, 3d]} has output columns <b>{@code [q | k | v]}</b>, each {@code [heads, hd]}: head h's q
 * is columns {@code h*hd ..}, its k columns {@code d + h*hd ..}, its v columns {@code 2d + h*hd ..}. The seed's
 * {@code [3, heads, hd]} view is right here and wrong for GPT-NeoX. Head h owns rows {@code h*hd ..} of
 * {@code attn.c_proj.weight [in, out]}. Learned positions {@code wpe}, {@code gelu_new}, lm_head tied to {@code wte};
 * tensor names with or without the {@code transformer.} prefix; {@code attn.bias}/{@code attn.masked_bias} buffers.
 */
public final class Gpt2Architecture implements Architecture {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "transformer.";

    @Override public String family() { return "gpt2"; }

    @Override public List<String> modelTypes() { return List.of("gpt2"); }

    @Override
    public String headMeaning() {
        return "c_attn columns [q | k | v] each [heads, head_dim] (Conv1D [in, out]) and attn.c_proj rows [heads, head_dim]";
    }

    @Override
    public ModelConfig parseConfig(JsonNode root) {
        ConfigFields r = ConfigFields.of(root, "config.json");
        int d = r.requiredInt("n_embd", 1, ModelConfig.MAX_DIM);
        int heads = r.requiredInt("n_head", 1, ModelConfig.MAX_DIM);
        if (heads <= 0 || d % heads != 0) {
            throw new IllegalArgumentException("config.json: n_embd " + d + " must be divisible by n_head " + heads);
        }
        String act = r.optionalString("activation_function", "gelu_new");
        if (!List.of("gelu_new", "gelu", "relu", "gelu_fast", "gelu_pytorch_tanh").contains(act)) {
            throw new IllegalArgumentException("config.json: activation_function '" + act + "' is not supported; expected gelu_new, gelu or relu");
        }
        if (!r.optionalBoolean("scale_attn_weights", true) || r.optionalBoolean("scale_attn_by_inverse_layer_idx", false)) {
            throw new IllegalArgumentException("config.json: editgate supports GPT-2 attention scaled by 1/sqrt(head_dim) only "
                    + "(scale_attn_weights true, scale_attn_by_inverse_layer_idx false)");
        }
        int inner = r.optionalInt("n_inner", 4 * d, 0, ModelConfig.MAX_DIM);
        return new ModelConfig("gpt2", r.requiredInt("vocab_size", 1, ModelConfig.MAX_DIM), d, r.requiredInt("n_layer", 1, ModelConfig.MAX_DIM), heads, heads, d / heads, inner,
                NormKind.LAYER_NORM, r.optionalDouble("layer_norm_epsilon", 1e-5, 0, Double.MAX_VALUE), act, false, PositionKind.LEARNED, 1.0, 10000,
                Optional.empty(), r.optionalInt("n_positions", 1024, 0, ModelConfig.MAX_DIM), true, true, true, false,
                r.optionalBoolean("tie_word_embeddings", true), r.optionalString("torch_dtype", "float32"), 0);
    }

    @Override
    public ObjectNode toConfigJson(ModelConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("model_type", "gpt2");
        o.put("vocab_size", c.vocabSize());
        o.put("n_embd", c.hiddenSize());
        o.put("n_layer", c.numHiddenLayers());
        o.put("n_head", c.numAttentionHeads());
        o.put("n_positions", c.maxPositionEmbeddings());
        o.put("n_ctx", c.maxPositionEmbeddings());
        if (c.intermediateSize() == 4 * c.hiddenSize()) o.putNull("n_inner"); else o.put("n_inner", c.intermediateSize());
        o.put("activation_function", c.hiddenAct());
        o.put("layer_norm_epsilon", c.normEps());
        o.put("scale_attn_weights", true);
        o.put("tie_word_embeddings", c.tiedEmbeddings());
        o.put("bos_token_id", 0);
        o.put("eos_token_id", 0);
        o.put("initializer_range", 0.02);
        o.put("torch_dtype", c.torchDtype());
        return o;
    }

    @Override
    public TensorNames names(ModelConfig c, Set<String> present) {
        String p = present.contains(PREFIX + "wte.weight") ? PREFIX : "";
        boolean tied = c.tiedEmbeddings();
        return (role, i) -> {
            String l = p + "h." + i + ".";
            return switch (role) {
                case EMBED -> p + "wte.weight";
                case POSITION_EMBED -> p + "wpe.weight";
                case LN1_WEIGHT -> l + "ln_1.weight";
                case LN1_BIAS -> l + "ln_1.bias";
                case QKV_WEIGHT -> l + "attn.c_attn.weight";
                case QKV_BIAS -> l + "attn.c_attn.bias";
                case O_WEIGHT -> l + "attn.c_proj.weight";
                case O_BIAS -> l + "attn.c_proj.bias";
                case LN2_WEIGHT -> l + "ln_2.weight";
                case LN2_BIAS -> l + "ln_2.bias";
                case MLP_UP_WEIGHT -> l + "mlp.c_fc.weight";
                case MLP_UP_BIAS -> l + "mlp.c_fc.bias";
                case MLP_DOWN_WEIGHT -> l + "mlp.c_proj.weight";
                case MLP_DOWN_BIAS -> l + "mlp.c_proj.bias";
                case FINAL_NORM_WEIGHT -> p + "ln_f.weight";
                case FINAL_NORM_BIAS -> p + "ln_f.bias";
                case UNEMBED -> tied ? null : "lm_head.weight";
                default -> null;
            };
        };
    }

    @Override
    public List<TensorSpec> tensorTable(ModelConfig c, TensorNames n) {
        long d = c.hiddenSize(), v = c.vocabSize(), ff = c.intermediateSize(), pos = c.maxPositionEmbeddings();
        TableBuilder t = new TableBuilder(n);
        t.global(TensorRole.EMBED, v, d).global(TensorRole.POSITION_EMBED, pos, d);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            t.layer(i, TensorRole.LN1_WEIGHT, d).layer(i, TensorRole.LN1_BIAS, d)
             .layerInOut(i, TensorRole.QKV_WEIGHT, d, 3 * d).layer(i, TensorRole.QKV_BIAS, 3 * d)
             .layerInOut(i, TensorRole.O_WEIGHT, d, d).layer(i, TensorRole.O_BIAS, d)
             .layer(i, TensorRole.LN2_WEIGHT, d).layer(i, TensorRole.LN2_BIAS, d)
             .layerInOut(i, TensorRole.MLP_UP_WEIGHT, d, ff).layer(i, TensorRole.MLP_UP_BIAS, ff)
             .layerInOut(i, TensorRole.MLP_DOWN_WEIGHT, ff, d).layer(i, TensorRole.MLP_DOWN_BIAS, d);
        }
        t.global(TensorRole.FINAL_NORM_WEIGHT, d).global(TensorRole.FINAL_NORM_BIAS, d).global(TensorRole.UNEMBED, v, d);
        return t.build();
    }

    @Override
    public String fusedQkvLabel() { return "c_attn"; }

    @Override
    public boolean isBuffer(String name) {
        return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias");
    }

    @Override
    public HeadView heads(ModelConfig c, TensorNames n, int layer) {
        int heads = c.numAttentionHeads(), hd = c.headDim(), d = c.hiddenSize();
        String w = n.name(TensorRole.QKV_WEIGHT, layer), b = n.name(TensorRole.QKV_BIAS, layer);
        BlockKind[] kinds = {BlockKind.Q, BlockKind.K, BlockKind.V};
        String[] labels = {"q", "k", "v"};
        List<BlockSet> parts = new ArrayList<>();
        for (int comp = 0; comp < 3; comp++) {        // columns [3, heads, hd]: head h's component c starts at c*d + h*hd
            parts.add(BlockSet.strided(kinds[comp], false, labels[comp], w, 1, hd, heads, comp * d, hd));
        }
        for (int comp = 0; comp < 3; comp++) {
            parts.add(BlockSet.strided(kinds[comp], true, labels[comp] + " bias", b, 0, hd, heads, comp * d, hd));
        }
        parts.add(BlockSet.strided(BlockKind.O, false, "c_proj", n.name(TensorRole.O_WEIGHT, layer), 0, hd, heads, 0, hd));
        return new HeadView(layer, heads, heads, hd, parts);
    }

    @Override
    public NeuronView neurons(ModelConfig c, TensorNames n, int layer) {
        int ff = c.intermediateSize();
        return new NeuronView(layer, ff, List.of(
                BlockSet.strided(BlockKind.MLP_IN, false, "c_fc", n.name(TensorRole.MLP_UP_WEIGHT, layer), 1, 1, ff, 0, 1),
                BlockSet.strided(BlockKind.MLP_IN, true, "c_fc bias", n.name(TensorRole.MLP_UP_BIAS, layer), 0, 1, ff, 0, 1),
                BlockSet.strided(BlockKind.MLP_OUT, false, "mlp.c_proj", n.name(TensorRole.MLP_DOWN_WEIGHT, layer), 0, 1, ff, 0, 1)));
    }

    /**
     * GPT-NeoX's per-head interleaving applied to {@code c_attn} ({@code [heads, 3, hd]} on its columns), and the
     * Conv1D axis mix-up: head blocks moved along the input axis (rows of c_attn, columns of c_proj).
     */
    @Override
    public List<MistakenLayout> mistakenLayouts(HeadView view) {
        int heads = view.heads(), hd = view.headDim();
        List<MistakenLayout> out = new ArrayList<>();
        BlockKind[] kinds = {BlockKind.Q, BlockKind.K, BlockKind.V};
        for (BlockSet probe : view.parts()) {
            if (probe.kind() == BlockKind.Q) {
                List<BlockSet> parts = new ArrayList<>();
                for (int comp = 0; comp < 3; comp++) {
                    parts.add(BlockSet.strided(kinds[comp], probe.bias(), "qkv", probe.tensor(), probe.axis(), hd, heads, comp * hd, 3 * hd));
                }
                out.add(new MistakenLayout("neox-interleaved", probe.tensor(),
                        "c_attn was permuted as if laid out [heads, 3, head_dim] (GPT-NeoX's query_key_value); GPT-2 stores [3, heads, head_dim]: all q, then all k, then all v",
                        parts));
                if (!probe.bias()) {
                    out.add(new MistakenLayout("conv1d-rows", probe.tensor(),
                            "c_attn was permuted along its rows (the input axis); GPT-2's Conv1D stores [in, out], so heads are column blocks",
                            List.of(BlockSet.strided(BlockKind.Q, false, "c_attn rows", probe.tensor(), 0, hd, heads, 0, hd))));
                }
            }
            if (probe.kind() == BlockKind.O) {
                out.add(new MistakenLayout("conv1d-columns", probe.tensor(),
                        "c_proj was permuted along its columns (the output axis); GPT-2's Conv1D stores [in, out], so head h owns rows h·hd..(h+1)·hd-1",
                        List.of(BlockSet.strided(BlockKind.O, false, "c_proj columns", probe.tensor(), 1, hd, heads, 0, hd))));
            }
        }
        return out;
    }
}
