package dev.editgate.core.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The canonical per-neuron view of one layer's MLP: for each neuron, its row (or column) of the input
 * projection(s) and bias, and its column (or row) of the output projection.
 */
public record NeuronView(int layer, int neurons, List<BlockSet> parts) {
    public NeuronView {
        parts = List.copyOf(parts);
        for (BlockSet p : parts) {
            if (p.count() != neurons) throw new IllegalArgumentException(p.label() + ": " + p.count() + " blocks, expected " + neurons);
        }
    }

    public Set<String> tensors() {
        Set<String> out = new LinkedHashSet<>();
        for (BlockSet p : parts) out.add(p.tensor());
        return out;
    }
}
