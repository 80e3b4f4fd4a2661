package dev.editgate.core.model;

/** How a family tells the model where a token is. */
public enum PositionKind {
    /** Rotary embeddings on q and k inside attention (GPT-NeoX: the first rotary_ndims dims; Llama: all). */
    ROTARY,
    /** A learned table added to the token embeddings ({@code wpe}, GPT-2). */
    LEARNED
}
