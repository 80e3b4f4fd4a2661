package dev.editgate.properties;

import dev.editgate.core.edit.Permutation;
import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;

/** Default descriptions and statistics labels of generated values. */
public final class ValueFormat {
    private ValueFormat() {}

    /** A permutation as cycles plus image list, {@code (0 3) = [3,1,2,0,4,5]}; collections and arrays element by element. */
    public static String describe(Object value) {
        if (value instanceof Permutation p) return p.toCycleString() + " = " + p.toImageString();
        if (value instanceof Object[] array) return Arrays.stream(array).map(ValueFormat::describe).collect(Collectors.joining(", ", "[", "]"));
        if (value instanceof Collection<?> c) return c.stream().map(ValueFormat::describe).collect(Collectors.joining(", ", "[", "]"));
        return String.valueOf(value);
    }

    /** {@code "moved heads = k"} for a permutation; no label (null) otherwise. */
    public static String classify(Object value) {
        return value instanceof Permutation p ? "moved heads = " + p.movedCount() : null;
    }
}
