package dev.editgate.core.structure;

import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Bit-exact comparison of two tensor sets: which names differ, and how. */
public final class BitExactComparison {
    private BitExactComparison() {}

    public record Result(List<TensorDifference> differences) {
        public Result {
            differences = List.copyOf(differences);
        }

        public boolean identical() { return differences.isEmpty(); }

        /** Names whose content differs or that exist on one side only. */
        public Set<String> changedNames() {
            Set<String> out = new LinkedHashSet<>();
            differences.forEach(d -> out.add(d.name()));
            return out;
        }
    }

    /** Compares every tensor of {@code expected} and {@code actual}, bit for bit. */
    public static Result compare(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        List<TensorDifference> out = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor b = actual.get(e.getKey());
            if (b == null) {
                out.add(new TensorDifference(e.getKey(), TensorDifference.Kind.MISSING, "present in the first set only"));
                continue;
            }
            TensorDifference d = compare(e.getValue(), b);
            if (d != null) out.add(d);
        }
        for (String name : actual.keySet()) {
            if (!expected.containsKey(name)) {
                out.add(new TensorDifference(name, TensorDifference.Kind.ADDED, "present in the second set only"));
            }
        }
        return new Result(out);
    }

    /**
     * The names {@link #compare(Map, Map)} would report, in the same order, without describing how they differ: a tensor
     * the two sets share (the same object) is equal without reading it, any other stops at its first differing byte.
     */
    public static Set<String> changedNames(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor b = actual.get(e.getKey());
            if (b == null || !bitEqual(e.getValue(), b)) out.add(e.getKey());
        }
        for (String name : actual.keySet()) {
            if (!expected.containsKey(name)) out.add(name);
        }
        return out;
    }

    /** Same dtype, shape and bytes; true at once for the same object. */
    public static boolean bitEqual(Tensor a, Tensor b) {
        return a == b || a.dtype() == b.dtype() && Arrays.equals(a.shape(), b.shape()) && a.data().mismatch(b.data()) < 0;
    }

    /** {@code null} when bit-identical, else the first difference. */
    public static TensorDifference compare(Tensor a, Tensor b) {
        if (a == b) return null;
        if (a.dtype() != b.dtype()) {
            return new TensorDifference(a.name(), TensorDifference.Kind.DTYPE, a.dtype() + " vs " + b.dtype());
        }
        if (!Arrays.equals(a.shape(), b.shape())) {
            return new TensorDifference(a.name(), TensorDifference.Kind.SHAPE,
                    Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        }
        ByteBuffer x = a.data(), y = b.data();
        int at = x.mismatch(y);
        if (at < 0) return null;
        long element = at / a.dtype().byteSize();
        long changed = countChangedElements(a, b);
        String values = a.dtype().isFloating() ? ": " + a.getDouble(element) + " vs " + b.getDouble(element) : "";
        return new TensorDifference(a.name(), TensorDifference.Kind.VALUES,
                changed + " of " + a.numel() + " elements differ; first at flat index " + element + values);
    }

    /** Elements whose bytes differ; same dtype and shape. Eight bytes at a time where they are equal. */
    static long countChangedElements(Tensor a, Tensor b) {
        ByteBuffer x = a.data(), y = b.data();
        int es = a.dtype().byteSize(), size = x.limit();
        long n = 0;
        int i = 0;
        if (8 % es == 0) {                                  // whole elements per word: skip equal words
            for (; i + 8 <= size; i += 8) {
                if (x.getLong(i) != y.getLong(i)) n += changedIn(x, y, i, i + 8, es);
            }
        }
        return n + changedIn(x, y, i, size, es);
    }

    /** Elements of {@code es} bytes in {@code [from, to)} whose bytes differ. */
    private static long changedIn(ByteBuffer x, ByteBuffer y, int from, int to, int es) {
        long n = 0;
        for (int i = from; i < to; i += es) {
            for (int k = 0; k < es; k++) {
                if (x.get(i + k) != y.get(i + k)) { n++; break; }
            }
        }
        return n;
    }
}
