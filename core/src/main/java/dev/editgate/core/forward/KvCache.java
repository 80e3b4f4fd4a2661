package dev.editgate.core.forward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The keys and values every layer has computed so far for one batch of sequences, for incremental decoding
 * ({@link TransformerForward#logits(int[][], KvCache)}): per layer k and v of shape {@code (B, kv_heads, T, hd)},
 * keys after the rotary embedding at their own positions, before the GQA repeat. Owns its native memory; close it
 * when the generation is done (it must be closed before the model it came from); the attention's temporaries on
 * cached keys live in it until then, a few small arrays per layer and step. Not thread-safe.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;
    private int batch = -1;
    private boolean closed;

    KvCache(NDManager manager, int layers) {
        this.manager = manager;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** How many positions are cached: the next token appended sits at this position. */
    public int length() { return length; }

    /** The batch size fixed by the first append, or -1 before it. */
    public int batch() { return batch; }

    /** Appends {@code k} and {@code v} (B, nkv, n, hd) to layer {@code layer}; returns the full (B, nkv, past+n, hd) pair. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        checkOpen();
        keys[layer] = concat(keys[layer], k);
        values[layer] = concat(values[layer], v);
        return new NDArray[] {keys[layer], values[layer]};
    }

    private NDArray concat(NDArray past, NDArray now) {
        NDArray all = past == null ? now : past.concat(now, 2);
        all.attach(manager);                                                       // outlives the forward's scope
        if (past != null) past.close();
        return all;
    }

    /** Called once per forward, after every layer appended its {@code n} new positions. */
    void advance(int batchSize, int n) {
        batch = batchSize;
        length += n;
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("this KvCache is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        manager.close();
    }
}
