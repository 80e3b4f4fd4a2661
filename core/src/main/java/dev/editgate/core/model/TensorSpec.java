package dev.editgate.core.model;

import java.util.Arrays;

/**
 * One row of a family's tensor table: the tensor a role has in one layer (or globally, layer -1), its
 * name in the checkpoint and its shape as the config implies it.
 *
 * @param inOut true for matrices stored {@code [in, out]} (GPT-2's Conv1D); torch Linear stores {@code [out, in]}
 */
public record TensorSpec(TensorRole role, int layer, String name, long[] shape, boolean inOut) {
    public TensorSpec {
        shape = shape.clone();
        if (role.perLayer() != (layer >= 0)) {
            throw new IllegalArgumentException(role + " is " + (role.perLayer() ? "" : "not ") + "per layer; got layer " + layer);
        }
    }

    @Override
    public long[] shape() { return shape.clone(); }

    @Override
    public String toString() { return name + " " + Arrays.toString(shape) + (inOut ? " [in, out]" : ""); }
}
