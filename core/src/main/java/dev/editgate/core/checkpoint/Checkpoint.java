package dev.editgate.core.checkpoint;

import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.safetensors.Tensor;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable GPT-NeoX checkpoint: its config and its named tensors (in file order).
 *
 * <p>Tensors loaded from disk are memory-mapped slices; {@link #withTensors} shares every tensor it
 * does not replace, so an edit never copies what it does not touch.
 *
 * @param source the folder it was loaded from, when it was
 */
public record Checkpoint(GptNeoxConfig config, Map<String, Tensor> tensors, Optional<Path> source) {

    public Checkpoint {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** Loads a Hugging Face folder (config.json plus model.safetensors or a sharded index). */
    public static Checkpoint load(Path folder) {
        return CheckpointLoader.load(folder);
    }

    public Set<String> names() { return tensors.keySet(); }

    public boolean has(String name) { return tensors.containsKey(name); }

    /** The tensor called {@code name}; the error names the checkpoint and the missing tensor. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("checkpoint " + source.map(Path::toString).orElse("(in memory)")
                    + " has no tensor '" + name + "'");
        }
        return t;
    }

    /** The unembedding matrix, whether it is called {@code embed_out.weight} or {@code lm_head.weight}. */
    public Tensor unembedding() {
        return has(GptNeoxNames.EMBED_OUT) ? tensor(GptNeoxNames.EMBED_OUT) : tensor(GptNeoxNames.LM_HEAD);
    }

    /** A new checkpoint with {@code replacements} put in place (by name); every other tensor is shared. */
    public Checkpoint withTensors(Map<String, Tensor> replacements) {
        Map<String, Tensor> out = new LinkedHashMap<>(tensors);
        replacements.forEach((name, t) -> {
            if (!tensors.containsKey(name)) {
                throw new IllegalArgumentException("cannot replace tensor '" + name + "': the checkpoint has no such tensor");
            }
            out.put(name, t);
        });
        return new Checkpoint(config, out, Optional.empty());
    }

    /** Total number of elements in the model's parameters (buffers excluded). */
    public long parameterCount() {
        return tensors.values().stream().filter(t -> !GptNeoxNames.isBuffer(t.name())).mapToLong(Tensor::numel).sum();
    }
}
