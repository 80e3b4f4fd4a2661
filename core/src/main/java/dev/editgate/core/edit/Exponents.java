package dev.editgate.core.edit;

import java.util.Arrays;

/**
 * The parameter of a power-of-two scaling edit: block i is multiplied by {@code 2^values[i]} (and its partner by
 * {@code 2^-values[i]}). Composition adds exponents, the inverse negates them, the identity is all zeros.
 */
public record Exponents(int[] values) {
    public Exponents {
        values = values.clone();
    }

    public static Exponents zeros(int n) { return new Exponents(new int[n]); }

    public int size() { return values.length; }

    public int get(int i) { return values[i]; }

    @Override
    public int[] values() { return values.clone(); }

    /** Scaling by this, then by {@code next}: exponents add. */
    public Exponents andThen(Exponents next) {
        if (next.size() != size()) throw new IllegalArgumentException("cannot compose " + size() + " exponents with " + next.size());
        int[] out = new int[size()];
        for (int i = 0; i < out.length; i++) out[i] = values[i] + next.values[i];
        return new Exponents(out);
    }

    public Exponents inverse() {
        int[] out = new int[size()];
        for (int i = 0; i < out.length; i++) out[i] = -values[i];
        return new Exponents(out);
    }

    public boolean isIdentity() { return Arrays.stream(values).allMatch(v -> v == 0); }

    /** {@code [1,0,-2]}. */
    public String toListString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) sb.append(i > 0 ? "," : "").append(values[i]);
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) { return o instanceof Exponents e && Arrays.equals(values, e.values); }

    @Override
    public int hashCode() { return Arrays.hashCode(values); }

    @Override
    public String toString() { return "exponents " + toListString(); }
}
