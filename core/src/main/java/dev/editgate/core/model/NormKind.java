package dev.editgate.core.model;

/** The normalisation a family uses before attention, before the MLP and at the end. */
public enum NormKind {
    /** {@code (x - mean) / sqrt(var + eps) * w + b} (GPT-NeoX, GPT-2). */
    LAYER_NORM,
    /** {@code x / sqrt(mean(x²) + eps) * w}, no bias (Llama, Mistral, Qwen2). */
    RMS_NORM
}
