package dev.editgate.core.model;

/** What a checkpoint tensor is for, independent of what a family calls it. */
public enum TensorRole {
    EMBED(false), POSITION_EMBED(false),
    LN1_WEIGHT(true), LN1_BIAS(true), LN2_WEIGHT(true), LN2_BIAS(true),
    /** A fused q/k/v projection (GPT-NeoX {@code query_key_value}, GPT-2 {@code c_attn}). */
    QKV_WEIGHT(true), QKV_BIAS(true),
    Q_WEIGHT(true), Q_BIAS(true), K_WEIGHT(true), K_BIAS(true), V_WEIGHT(true), V_BIAS(true),
    /** The attention output projection (GPT-NeoX {@code dense}, Llama {@code o_proj}, GPT-2 {@code attn.c_proj}). */
    O_WEIGHT(true), O_BIAS(true),
    MLP_UP_WEIGHT(true), MLP_UP_BIAS(true), MLP_GATE_WEIGHT(true), MLP_GATE_BIAS(true),
    MLP_DOWN_WEIGHT(true), MLP_DOWN_BIAS(true),
    FINAL_NORM_WEIGHT(false), FINAL_NORM_BIAS(false),
    UNEMBED(false);

    private final boolean perLayer;

    TensorRole(boolean perLayer) { this.perLayer = perLayer; }

    public boolean perLayer() { return perLayer; }
}
