package dev.editgate.core.numeric;

import java.lang.ref.SoftReference;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.ejml.data.DMatrixRMaj;

/**
 * The spectra of the last {@code capacity} distinct matrices, keyed by their exact bits (dimensions and every double,
 * compared with {@link Arrays#equals(double[], double[])}): a memo of a deterministic function, so a hit returns exactly
 * what computing again would. Entries are softly held, so the collector may drop them (they are 8 bytes per element).
 */
final class CanonicalMemo {
    private record Key(int rows, int cols, int hash, double[] data) {
        static Key of(DMatrixRMaj m) {
            return new Key(m.numRows, m.numCols, Arrays.hashCode(m.data), m.data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.rows == rows && k.cols == cols && k.hash == hash && Arrays.equals(k.data, data);
        }

        @Override
        public int hashCode() { return hash; }
    }

    private final Map<Key, SoftReference<Spectrum>> entries;

    CanonicalMemo(int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, SoftReference<Spectrum>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The memoized spectrum of {@code m}, or {@code compute(m)} remembered; {@code m} must not change afterwards. */
    Spectrum computeIfAbsent(DMatrixRMaj m, Function<DMatrixRMaj, Spectrum> compute) {
        Key key = Key.of(m);
        synchronized (this) {
            SoftReference<Spectrum> ref = entries.get(key);
            Spectrum known = ref == null ? null : ref.get();
            if (known != null) return known;
        }
        Spectrum computed = compute.apply(m);
        synchronized (this) {
            entries.put(key, new SoftReference<>(computed));
        }
        return computed;
    }
}
