package dev.editgate.core.model;

/** What a block of a checkpoint tensor belongs to, in TransformerLens' canonical terms. */
public enum BlockKind {
    /** W_Q / b_Q of a query head. */
    Q(Index.QUERY_HEAD),
    /** W_K / b_K of a KV head. */
    K(Index.KV_HEAD),
    /** W_V / b_V of a KV head. */
    V(Index.KV_HEAD),
    /** W_O of a query head (the output projection's input slice). */
    O(Index.QUERY_HEAD),
    /** The input projection of one MLP neuron (GPT-NeoX dense_h_to_4h, Llama up_proj, GPT-2 c_fc). */
    MLP_IN(Index.NEURON),
    /** SwiGLU's gate projection of one neuron. */
    MLP_GATE(Index.NEURON),
    /** The output projection's slice reading one neuron. */
    MLP_OUT(Index.NEURON),
    /** One residual-stream coordinate of a tensor axis that indexes the residual stream. */
    RESIDUAL(Index.RESIDUAL);

    /** What the block's index counts. */
    public enum Index { QUERY_HEAD, KV_HEAD, NEURON, RESIDUAL }

    private final Index index;

    BlockKind(Index index) { this.index = index; }

    public Index index() { return index; }
}
