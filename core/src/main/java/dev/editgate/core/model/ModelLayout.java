package dev.editgate.core.model;

import java.util.List;
import java.util.Set;

/** A config, its family's adapter and the names one checkpoint uses: what callers ask about a loaded model. */
public record ModelLayout(Architecture architecture, ModelConfig config, TensorNames names) {

    public static ModelLayout of(ModelConfig config, Set<String> tensorNames) {
        Architecture a = config.architecture();
        return new ModelLayout(a, config, a.names(config, tensorNames));
    }

    public List<TensorSpec> tensorTable() { return architecture.tensorTable(config, names); }

    /** The canonical per-head view of {@code layer}. */
    public HeadView heads(int layer) {
        checkLayer(layer);
        return architecture.heads(config, names, layer);
    }

    /** The canonical per-neuron view of {@code layer}'s MLP. */
    public NeuronView neurons(int layer) {
        checkLayer(layer);
        return architecture.neurons(config, names, layer);
    }

    public String name(TensorRole role, int layer) { return names.name(role, layer); }

    public String name(TensorRole role) { return names.name(role); }

    /** The unembedding matrix's tensor: its own, or the token embedding when tied. */
    public String unembedding() {
        String n = names.name(TensorRole.UNEMBED);
        return n != null ? n : names.name(TensorRole.EMBED);
    }

    /** The prefix every tensor of {@code layer} starts with (for messages such as "outside layer 3"). */
    public boolean inLayer(String tensor, int layer) {
        return tensorTable().stream().anyMatch(s -> s.layer() == layer && s.name().equals(tensor));
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= config.numHiddenLayers()) {
            throw new IllegalArgumentException("--layer " + layer + " is out of range: the model has "
                    + config.numHiddenLayers() + " layers (0.." + (config.numHiddenLayers() - 1) + ")");
        }
    }
}
