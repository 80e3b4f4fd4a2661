package dev.editgate.core.checkpoint;

/** Tensor names of Hugging Face {@code GPTNeoXForCausalLM} checkpoints. */
public final class GptNeoxNames {
    private GptNeoxNames() {}

    public static final String EMBED_IN = "gpt_neox.embed_in.weight";
    public static final String FINAL_LN_WEIGHT = "gpt_neox.final_layer_norm.weight";
    public static final String FINAL_LN_BIAS = "gpt_neox.final_layer_norm.bias";
    /** The unembedding; newer transformers versions write {@link #LM_HEAD} instead. */
    public static final String EMBED_OUT = "embed_out.weight";
    public static final String LM_HEAD = "lm_head.weight";

    public static String layer(int i) { return "gpt_neox.layers." + i + "."; }

    public static String inputLnWeight(int i) { return layer(i) + "input_layernorm.weight"; }
    public static String inputLnBias(int i) { return layer(i) + "input_layernorm.bias"; }
    public static String postAttnLnWeight(int i) { return layer(i) + "post_attention_layernorm.weight"; }
    public static String postAttnLnBias(int i) { return layer(i) + "post_attention_layernorm.bias"; }
    /** Fused QKV weight {@code [3*hidden, hidden]}, rows laid out [heads, 3 (q,k,v), head_dim]. */
    public static String qkvWeight(int i) { return layer(i) + "attention.query_key_value.weight"; }
    public static String qkvBias(int i) { return layer(i) + "attention.query_key_value.bias"; }
    /** Output projection {@code [hidden, hidden]}; head h owns columns h*hd..(h+1)*hd-1. */
    public static String denseWeight(int i) { return layer(i) + "attention.dense.weight"; }
    public static String denseBias(int i) { return layer(i) + "attention.dense.bias"; }
    public static String mlpUpWeight(int i) { return layer(i) + "mlp.dense_h_to_4h.weight"; }
    public static String mlpUpBias(int i) { return layer(i) + "mlp.dense_h_to_4h.bias"; }
    public static String mlpDownWeight(int i) { return layer(i) + "mlp.dense_4h_to_h.weight"; }
    public static String mlpDownBias(int i) { return layer(i) + "mlp.dense_4h_to_h.bias"; }

    /** Buffers real checkpoints may carry; editgate ignores them. */
    public static boolean isBuffer(String name) {
        return name.endsWith(".attention.bias") || name.endsWith(".attention.masked_bias")
                || name.endsWith(".rotary_emb.inv_freq");
    }
}
