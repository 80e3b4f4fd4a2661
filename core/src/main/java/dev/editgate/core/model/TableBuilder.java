package dev.editgate.core.model;

import java.util.ArrayList;
import java.util.List;

/** Builds a tensor table from a naming; a role the naming says this model lacks (null) is left out. */
final class TableBuilder {
    private final TensorNames names;
    private final List<TensorSpec> specs = new ArrayList<>();

    TableBuilder(TensorNames names) { this.names = names; }

    TableBuilder global(TensorRole role, long... shape) { return add(role, -1, false, shape); }

    TableBuilder layer(int layer, TensorRole role, long... shape) { return add(role, layer, false, shape); }

    /** A matrix stored {@code [in, out]} (Conv1D). */
    TableBuilder layerInOut(int layer, TensorRole role, long... shape) { return add(role, layer, true, shape); }

    private TableBuilder add(TensorRole role, int layer, boolean inOut, long[] shape) {
        String name = names.name(role, layer);
        if (name != null) specs.add(new TensorSpec(role, layer, name, shape, inOut));
        return this;
    }

    List<TensorSpec> build() { return List.copyOf(specs); }
}
