package dev.editgate.gate;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The edits a gate run already made, keyed by (input checkpoint, by identity; permutation), so that every per-trial
 * property of the run checks one edit per trial instead of calling the edit once per property. Every property of a
 * run draws the same permutations from the same seed, so the second property onwards finds its trials here.
 *
 * <p>Bounded: at most {@link #MAX_ENTRIES} results and {@link #MAX_BYTES} bytes of tensors that the edit produced
 * (tensors shared with the input cost nothing), and never more than a quarter of the JVM's maximum heap (edited
 * tensors are direct buffers, whose default limit is the maximum heap). When full it keeps what it has and stops adding: the properties
 * replay the same sequence of permutations, so the first trials stay useful while a least-recently-used policy
 * would evict each one just before it is needed again. Only results that passed the input check are stored.
 */
final class EditResultCache {
    static final int MAX_ENTRIES = 512;
    static final long MAX_BYTES = 1L << 30;

    private record Key(Checkpoint input, int[] image) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.input == input && Arrays.equals(k.image, image);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(input) * 31 + Arrays.hashCode(image);
        }
    }

    private final Map<Key, Checkpoint> entries = new HashMap<>();
    private long bytes;

    synchronized Optional<Checkpoint> get(Checkpoint input, Permutation perm) {
        return get(input, perm.toArray());
    }

    /** By the parameter's int encoding (a permutation's image list, a scaling's exponents). */
    synchronized Optional<Checkpoint> get(Checkpoint input, int[] params) {
        return Optional.ofNullable(entries.get(new Key(input, params.clone())));
    }

    synchronized Checkpoint put(Checkpoint input, Permutation perm, Checkpoint edited) {
        return put(input, perm.toArray(), edited);
    }

    /**
     * Keeps {@code edited} when there is room and returns the checkpoint to use from now on: the kept one (see
     * {@link #offHeap}), the one kept earlier for the same key, or {@code edited} itself when it was not kept.
     */
    synchronized Checkpoint put(Checkpoint input, int[] params, Checkpoint edited) {
        Key key = new Key(input, params.clone());
        Checkpoint earlier = entries.get(key);
        if (earlier != null) return earlier;
        if (entries.size() >= MAX_ENTRIES) return edited;
        long cost = producedBytes(input, edited);
        if (bytes + cost > budget()) return edited;
        Checkpoint kept = offHeap(input, edited);
        entries.put(key, kept);
        bytes += cost;
        return kept;
    }

    /**
     * {@code edited} with each tensor it made on the Java heap (the built-in edits' gathers) copied, bit for bit, into
     * direct memory: a kept result lives for the whole run, where the collector would copy and rescan it on the heap,
     * while the edits nobody keeps stay on the heap and their memory is reused at once. {@code edited} itself when
     * every tensor is shared with the input or already direct (a mapped file of an external edit).
     */
    static Checkpoint offHeap(Checkpoint input, Checkpoint edited) {
        Map<String, Tensor> copies = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : edited.tensors().entrySet()) {
            Tensor t = e.getValue();
            if (input.tensors().get(e.getKey()) == t || t.data().isDirect()) continue;
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(Math.toIntExact(t.byteSize()));
            direct.put(t.data()).flip();
            copies.put(e.getKey(), new Tensor(t.name(), t.dtype(), t.shape(), direct));
        }
        return copies.isEmpty() ? edited : edited.withTensors(copies);
    }

    static long budget() {
        return Math.min(MAX_BYTES, Runtime.getRuntime().maxMemory() / 4);
    }

    synchronized void clear() {
        entries.clear();
        bytes = 0;
    }

    synchronized int size() { return entries.size(); }

    /** Bytes of the tensors of {@code edited} that are not the input's own tensor objects. */
    static long producedBytes(Checkpoint input, Checkpoint edited) {
        long sum = 0;
        for (Map.Entry<String, Tensor> e : edited.tensors().entrySet()) {
            if (input.tensors().get(e.getKey()) != e.getValue()) sum += e.getValue().numel() * e.getValue().dtype().byteSize();
        }
        return sum;
    }
}
