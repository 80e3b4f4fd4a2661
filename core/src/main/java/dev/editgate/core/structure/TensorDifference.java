package dev.editgate.core.structure;

/** How one tensor differs between two tensor sets. */
public record TensorDifference(String name, Kind kind, String detail) {
    public enum Kind { MISSING, ADDED, DTYPE, SHAPE, VALUES }

    @Override
    public String toString() { return name + ": " + kind + " (" + detail + ")"; }
}
