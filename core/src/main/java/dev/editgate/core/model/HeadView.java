package dev.editgate.core.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The canonical per-head view of one layer's attention: for each block kind (q, k, v and their biases, o),
 * where every head's block lives in the checkpoint. TransformerLens' {@code W_Q[heads, d_model, d_head]},
 * {@code W_K/W_V[kv_heads, ...]}, {@code W_O[heads, d_head, d_model]}, as addresses.
 *
 * <p>A head permutation (new query head i = old query head π(i), new KV head j = old KV head σ(j)) moves the
 * {@link BlockKind.Index#QUERY_HEAD} sets by π, the {@link BlockKind.Index#KV_HEAD} sets by σ, and nothing else.
 */
public record HeadView(int layer, int heads, int kvHeads, int headDim, List<BlockSet> parts) {
    public HeadView {
        parts = List.copyOf(parts);
        for (BlockSet p : parts) {
            int expected = p.kind().index() == BlockKind.Index.KV_HEAD ? kvHeads : heads;
            if (p.count() != expected) {
                throw new IllegalArgumentException(p.label() + ": " + p.count() + " blocks, expected " + expected);
            }
        }
    }

    /** Query heads per KV head. */
    public int groupSize() { return heads / kvHeads; }

    /** The tensors these blocks live in, in order of first appearance: what a head permutation may change. */
    public Set<String> tensors() {
        Set<String> out = new LinkedHashSet<>();
        for (BlockSet p : parts) out.add(p.tensor());
        return out;
    }

    /** The block sets stored in {@code tensor}. */
    public List<BlockSet> partsIn(String tensor) {
        return parts.stream().filter(p -> p.tensor().equals(tensor)).toList();
    }
}
