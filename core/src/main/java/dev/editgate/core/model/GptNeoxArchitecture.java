package dev.editgate.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.config.GptNeoxConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * GPT-NeoX / Pythia ({@code GPTNeoXForCausalLM}, GUIDE §2). The one thing to know: the fused
 * {@code query_key_value} rows are laid out <b>per head, then q/k/v</b> ({@code [heads, 3, head_dim]}), so head h's
 * q is rows {@code h*3*hd .. h*3*hd+hd-1}; head h owns columns {@code h*hd ..} of {@code dense.weight [out, in]}.
 */
public final class GptNeoxArchitecture implements Architecture {
    @Override public String family() { return "gpt_neox"; }

    @Override public List<String> modelTypes() { return List.of("gpt_neox"); }

    @Override
    public String headMeaning() {
        return "query_key_value rows [heads, 3 (q,k,v), head_dim] and dense columns [heads, head_dim]";
    }

    @Override
    public ModelConfig parseConfig(JsonNode root) { return GptNeoxConfig.fromJson(root).toModelConfig(); }

    @Override
    public ObjectNode toConfigJson(ModelConfig c) { return GptNeoxConfig.fromModelConfig(c).toJson(); }

    @Override
    public TensorNames names(ModelConfig c, Set<String> present) {
        String unembed = present.contains(GptNeoxNames.LM_HEAD) && !present.contains(GptNeoxNames.EMBED_OUT)
                ? GptNeoxNames.LM_HEAD : GptNeoxNames.EMBED_OUT;
        boolean bias = c.qkvBias();
        return (role, i) -> switch (role) {
            case EMBED -> GptNeoxNames.EMBED_IN;
            case LN1_WEIGHT -> GptNeoxNames.inputLnWeight(i);
            case LN1_BIAS -> GptNeoxNames.inputLnBias(i);
            case LN2_WEIGHT -> GptNeoxNames.postAttnLnWeight(i);
            case LN2_BIAS -> GptNeoxNames.postAttnLnBias(i);
            case QKV_WEIGHT -> GptNeoxNames.qkvWeight(i);
            case QKV_BIAS -> bias ? GptNeoxNames.qkvBias(i) : null;
            case O_WEIGHT -> GptNeoxNames.denseWeight(i);
            case O_BIAS -> bias ? GptNeoxNames.denseBias(i) : null;
            case MLP_UP_WEIGHT -> GptNeoxNames.mlpUpWeight(i);
            case MLP_UP_BIAS -> GptNeoxNames.mlpUpBias(i);
            case MLP_DOWN_WEIGHT -> GptNeoxNames.mlpDownWeight(i);
            case MLP_DOWN_BIAS -> GptNeoxNames.mlpDownBias(i);
            case FINAL_NORM_WEIGHT -> GptNeoxNames.FINAL_LN_WEIGHT;
            case FINAL_NORM_BIAS -> GptNeoxNames.FINAL_LN_BIAS;
            case UNEMBED -> unembed;
            default -> null;
        };
    }

    @Override
    public List<TensorSpec> tensorTable(ModelConfig c, TensorNames n) {
        long h = c.hiddenSize(), v = c.vocabSize(), ff = c.intermediateSize();
        TableBuilder t = new TableBuilder(n);
        t.global(TensorRole.EMBED, v, h);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            t.layer(i, TensorRole.LN1_WEIGHT, h).layer(i, TensorRole.LN1_BIAS, h)
             .layer(i, TensorRole.LN2_WEIGHT, h).layer(i, TensorRole.LN2_BIAS, h)
             .layer(i, TensorRole.QKV_WEIGHT, 3 * h, h).layer(i, TensorRole.QKV_BIAS, 3 * h)
             .layer(i, TensorRole.O_WEIGHT, h, h).layer(i, TensorRole.O_BIAS, h)
             .layer(i, TensorRole.MLP_UP_WEIGHT, ff, h).layer(i, TensorRole.MLP_UP_BIAS, ff)
             .layer(i, TensorRole.MLP_DOWN_WEIGHT, h, ff).layer(i, TensorRole.MLP_DOWN_BIAS, h);
        }
        t.global(TensorRole.FINAL_NORM_WEIGHT, h).global(TensorRole.FINAL_NORM_BIAS, h).global(TensorRole.UNEMBED, v, h);
        return t.build();
    }

    @Override
    public boolean isBuffer(String name) { return GptNeoxNames.isBuffer(name); }

    @Override
    public HeadView heads(ModelConfig c, TensorNames n, int layer) {
        int heads = c.numAttentionHeads(), hd = c.headDim();
        List<BlockSet> parts = new ArrayList<>();
        String w = n.name(TensorRole.QKV_WEIGHT, layer), b = n.name(TensorRole.QKV_BIAS, layer);
        BlockKind[] kinds = {BlockKind.Q, BlockKind.K, BlockKind.V};
        String[] labels = {"q", "k", "v"};
        for (int comp = 0; comp < 3; comp++) {        // rows [heads, 3, hd]: head h's component c starts at (h*3 + c)*hd
            parts.add(BlockSet.strided(kinds[comp], false, labels[comp], w, 0, hd, heads, comp * hd, 3 * hd));
        }
        if (b != null) {
            for (int comp = 0; comp < 3; comp++) {
                parts.add(BlockSet.strided(kinds[comp], true, labels[comp] + " bias", b, 0, hd, heads, comp * hd, 3 * hd));
            }
        }
        parts.add(BlockSet.strided(BlockKind.O, false, "dense", n.name(TensorRole.O_WEIGHT, layer), 1, hd, heads, 0, hd));
        return new HeadView(layer, heads, heads, hd, parts);
    }

    @Override
    public NeuronView neurons(ModelConfig c, TensorNames n, int layer) {
        int ff = c.intermediateSize();
        return new NeuronView(layer, ff, List.of(
                BlockSet.strided(BlockKind.MLP_IN, false, "dense_h_to_4h", n.name(TensorRole.MLP_UP_WEIGHT, layer), 0, 1, ff, 0, 1),
                BlockSet.strided(BlockKind.MLP_IN, true, "dense_h_to_4h bias", n.name(TensorRole.MLP_UP_BIAS, layer), 0, 1, ff, 0, 1),
                BlockSet.strided(BlockKind.MLP_OUT, false, "dense_4h_to_h", n.name(TensorRole.MLP_DOWN_WEIGHT, layer), 1, 1, ff, 0, 1)));
    }

    /** The seed's misreading: QKV rows taken as {@code [3, heads, head_dim]}, GPT-2's {@code c_attn} order. */
    @Override
    public List<MistakenLayout> mistakenLayouts(HeadView view) {
        List<MistakenLayout> out = new ArrayList<>();
        int heads = view.heads(), hd = view.headDim(), hidden = heads * hd;
        for (BlockSet probe : view.parts()) {
            if (probe.kind() != BlockKind.Q) continue;
            String t = probe.tensor();
            List<BlockSet> parts = new ArrayList<>();
            BlockKind[] kinds = {BlockKind.Q, BlockKind.K, BlockKind.V};
            for (int comp = 0; comp < 3; comp++) {
                parts.add(BlockSet.strided(kinds[comp], probe.bias(), "qkv", t, 0, hd, heads, comp * hidden, hd));
            }
            out.add(new MistakenLayout("component-major", t,
                    "QKV rows were permuted as if laid out [3, heads, head_dim]; GPT-NeoX stores [heads, 3, head_dim]", parts));
        }
        for (BlockSet dense : view.parts()) {
            if (dense.kind() != BlockKind.O) continue;
            BlockSet rows = BlockSet.strided(BlockKind.O, false, "dense rows", dense.tensor(), 0, hd, heads, 0, hd);
            out.add(new MistakenLayout("rows", dense.tensor(),
                    "dense rows were permuted instead of columns (head h owns columns h·hd..(h+1)·hd-1 of dense.weight [out, in])", List.of(rows)));
            out.add(new MistakenLayout("rows-and-columns", dense.tensor(),
                    "dense rows and columns were both permuted; only its columns belong to heads", List.of(rows, dense)));
        }
        return out;
    }
}
