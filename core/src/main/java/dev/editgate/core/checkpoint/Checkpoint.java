package dev.editgate.core.checkpoint;

import dev.editgate.core.model.ModelConfig;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.core.safetensors.Tensor;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable checkpoint of any supported family: its config, its named tensors (in file order) and the
 * layout its family's adapter gives it ({@link #layout()}).
 *
 * <p>Tensors loaded from disk are memory-mapped slices; {@link #withTensors} shares every tensor it
 * does not replace, so an edit never copies what it does not touch.
 */
public final class Checkpoint {
    private final ModelConfig config;
    private final Map<String, Tensor> tensors;
    private final Optional<Path> source;
    private final ModelLayout layout;

    /** @param source the folder it was loaded from, when it was */
    public Checkpoint(ModelConfig config, Map<String, Tensor> tensors, Optional<Path> source) {
        this.config = Objects.requireNonNull(config, "config");
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.source = Objects.requireNonNull(source, "source");
        this.layout = ModelLayout.of(config, this.tensors.keySet());
    }

    /** Loads a Hugging Face folder (config.json plus model.safetensors or a sharded index). */
    public static Checkpoint load(Path folder) {
        return CheckpointLoader.load(folder);
    }

    public ModelConfig config() { return config; }

    public Map<String, Tensor> tensors() { return tensors; }

    public Optional<Path> source() { return source; }

    /** The family adapter's view of this checkpoint: tensor names, tensor table, per-head and per-neuron blocks. */
    public ModelLayout layout() { return layout; }

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

    /** The unembedding matrix: its own tensor, or the token embedding when the family ties them. */
    public Tensor unembedding() {
        return tensor(layout.unembedding());
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
        return tensors.values().stream().filter(t -> !layout.architecture().isBuffer(t.name())).mapToLong(Tensor::numel).sum();
    }

    @Override
    public String toString() {
        return "Checkpoint[" + source.map(Path::toString).orElse("(in memory)") + ", " + config.summary() + "]";
    }
}
