package dev.editgate.core.model;

/**
 * What one checkpoint calls each role: a family's naming with the variants it found in the file resolved
 * (GPT-2's optional {@code transformer.} prefix, GPT-NeoX's {@code embed_out}/{@code lm_head}).
 */
@FunctionalInterface
public interface TensorNames {
    /**
     * The tensor of {@code role} in {@code layer} (ignored for global roles), or null when this family or
     * config has none (e.g. a Llama without biases, a tied unembedding).
     */
    String name(TensorRole role, int layer);

    /** The name of a global role. */
    default String name(TensorRole role) { return name(role, -1); }

    /** Like {@link #name(TensorRole, int)} but the role must exist. */
    default String require(TensorRole role, int layer) {
        String n = name(role, layer);
        if (n == null) throw new IllegalArgumentException("this model has no " + role + " tensor" + (layer >= 0 ? " in layer " + layer : ""));
        return n;
    }
}
