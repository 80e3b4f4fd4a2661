package dev.editgate.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/**
 * One model family's adapter: everything editgate knows about how the family stores a model, stated once.
 * Loading, edits, structural checks, norms, the diagnosis, the forward and the fixtures all ask the adapter
 * instead of spelling out a layout themselves.
 */
public interface Architecture {
    /** Short family name: {@code gpt_neox}, {@code llama} or {@code gpt2}. */
    String family();

    /** The {@code model_type} values of config.json this adapter reads. */
    List<String> modelTypes();

    /** What "head" means in this family, for the README and reports. */
    String headMeaning();

    /** Parses config.json into the family-neutral config; errors name the field and what was expected. */
    ModelConfig parseConfig(JsonNode root);

    /** The config.json Hugging Face would load for {@code c} (used by the fixtures). */
    ObjectNode toConfigJson(ModelConfig c);

    /** This family's tensor names, with the variants found among {@code present} resolved. */
    TensorNames names(ModelConfig c, Set<String> present);

    /** Every parameter tensor the config implies, with its shape. */
    List<TensorSpec> tensorTable(ModelConfig c, TensorNames names);

    /** Buffers real checkpoints may carry (causal masks, rotary caches): ignored, never an error. */
    boolean isBuffer(String name);

    /** Where each head's q/k/v/o blocks of {@code layer} live. */
    HeadView heads(ModelConfig c, TensorNames names, int layer);

    /** Where each MLP neuron's blocks of {@code layer} live. */
    NeuronView neurons(ModelConfig c, TensorNames names, int layer);

    /**
     * Wrong layouts an edit written for another family (or from a misread of this one) would assume, for the
     * diagnosis: each rebuilds the block sets of one fused or projection tensor as the mistaken code sees them.
     */
    default List<MistakenLayout> mistakenLayouts(HeadView view) { return List.of(); }

    /** What messages call a fused q/k/v tensor: "QKV" (GPT-NeoX) or "c_attn" (GPT-2). */
    default String fusedQkvLabel() { return "QKV"; }
}
