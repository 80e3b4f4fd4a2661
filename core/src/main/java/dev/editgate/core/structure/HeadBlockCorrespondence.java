package dev.editgate.core.structure;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.GroupedHeads;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.model.BlockKind;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.model.HeadView;
import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * For one layer of an edited model, which block of the original each per-head block equals bit for bit, for
 * every block set of the family's {@link HeadView} (q, k, v and their biases, o).
 *
 * <p>Blocks are identified by a global id: block i of part p has id {@code offset(p) + i}. An edited block is
 * compared with every original block of the same tensor, axis and length (so a q block that now holds a k
 * block is named as such); -1 means it equals no original block. When several original blocks are
 * bit-identical (all-zero biases, as in Pythia's step0), the source is the lowest of them, and
 * {@link #consistentWith} accepts any member of that class.
 */
public final class HeadBlockCorrespondence {
    private final HeadView view;
    private final int[][] source;      // [part][block] -> id of the matching original block, or -1
    private final int[] classOf;       // id -> lowest id with identical original bytes
    private final int[] offset;        // part -> first id

    private HeadBlockCorrespondence(HeadView view, int[][] source, int[] classOf, int[] offset) {
        this.view = view;
        this.source = source;
        this.classOf = classOf;
        this.offset = offset;
    }

    public static HeadBlockCorrespondence compute(Checkpoint original, Checkpoint edited, int layer) {
        return compute(original, edited, layer, null);
    }

    /**
     * As {@link #compute(Checkpoint, Checkpoint, int)}, comparing each edited block first with the original block
     * {@code expected} puts there (one vectorized comparison instead of hashing the block); the result is the same
     * for any {@code expected}, only faster when the edit is right. {@code expected} may be null.
     */
    public static HeadBlockCorrespondence compute(Checkpoint original, Checkpoint edited, int layer, Permutation expected) {
        OriginalBlocks ob = OriginalBlocks.of(original, layer);
        List<BlockSet> parts = ob.view.parts();
        int[] offset = ob.offset;
        Tensor[] edit = new Tensor[parts.size()];                 // null where the edited tensor is not comparable
        for (int p = 0; p < parts.size(); p++) {
            BlockSet s = parts.get(p);
            Tensor o = original.tensor(s.tensor());
            Tensor e = edited.tensors().get(s.tensor());
            if (e != null && e.dtype() == o.dtype() && Arrays.equals(e.shape(), o.shape())) edit[p] = e;
        }
        Optional<Permutation> sigma = Optional.empty();
        if (expected != null && expected.size() == ob.view.heads()) {
            try {
                sigma = Optional.of(GroupedHeads.kvPermutation(expected, ob.view.groupSize()));
            } catch (IllegalArgumentException e) {
                expected = null;                                   // splits a KV group: no hint
            }
        } else {
            expected = null;
        }
        int[][] source = new int[parts.size()][];
        for (int p = 0; p < parts.size(); p++) {
            BlockSet s = parts.get(p);
            Permutation pp = expected == null ? null : s.kind().index() == BlockKind.Index.KV_HEAD ? sigma.get() : expected;
            source[p] = new int[s.count()];
            for (int i = 0; i < s.count(); i++) {
                if (edit[p] == null) {
                    source[p][i] = -1;
                    continue;
                }
                int hint = pp == null ? -1 : offset[p] + pp.apply(i);
                // equal to the hinted block: its class (the lowest bit-identical original), what the hash search returns
                source[p][i] = hint >= 0 && ob.equal(hint, edit[p], s, i) ? ob.classOf[hint]
                        : ob.firstEqual(edit[p], s, i, BlockBytes.hash(edit[p], s, i), ob.candidates.get(p));
            }
        }
        return new HeadBlockCorrespondence(ob.view, source, ob.classOf, offset);
    }

    /**
     * The original's side of the comparison, which every trial of a run shares: where each block lives (its tensor, set
     * and index, read in place), its hash, its class and its candidates. Kept per (checkpoint, layer) while the
     * checkpoint is reachable; the tensors of a checkpoint never change, so nothing is recomputed per trial.
     */
    private record OriginalBlocks(HeadView view, int[] offset, Tensor[] tensor, BlockSet[] set, int[] index, int[] hashes,
                                  int[] classOf, List<List<Integer>> candidates) {
        private static final java.util.Map<Checkpoint, java.util.Map<Integer, OriginalBlocks>> CACHE =
                java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

        static OriginalBlocks of(Checkpoint original, int layer) {
            var perLayer = CACHE.computeIfAbsent(original, k -> new java.util.concurrent.ConcurrentHashMap<>());
            return perLayer.computeIfAbsent(layer, l -> compute(original, l));
        }

        private static OriginalBlocks compute(Checkpoint original, int layer) {
            HeadView view = original.layout().heads(layer);
            List<BlockSet> parts = view.parts();
            int[] offset = new int[parts.size()];
            int total = 0;
            for (int p = 0; p < parts.size(); p++) {
                offset[p] = total;
                total += parts.get(p).count();
            }
            Tensor[] tensor = new Tensor[total];
            BlockSet[] set = new BlockSet[total];
            int[] index = new int[total];
            int[] hashes = new int[total];
            for (int p = 0; p < parts.size(); p++) {
                BlockSet s = parts.get(p);
                Tensor o = original.tensor(s.tensor());
                for (int i = 0; i < s.count(); i++) {
                    int id = offset[p] + i;
                    tensor[id] = o;
                    set[id] = s;
                    index[id] = i;
                    hashes[id] = BlockBytes.hash(o, s, i);
                }
            }
            List<List<Integer>> candidates = new ArrayList<>();
            for (BlockSet s : parts) candidates.add(HeadBlockCorrespondence.candidates(parts, offset, s));
            int[] classOf = new int[total];                                   // filled below, once the blocks can be compared
            OriginalBlocks ob = new OriginalBlocks(view, offset, tensor, set, index, hashes, classOf, List.copyOf(candidates));
            for (int id = 0; id < total; id++) classOf[id] = ob.firstEqual(tensor[id], set[id], index[id], hashes[id], candidates.get(partOf(offset, id)));
            return ob;
        }

        private static int partOf(int[] offset, int id) {
            int p = offset.length - 1;
            while (offset[p] > id) p--;
            return p;
        }

        /** Whether original block {@code id} equals block {@code i} of {@code s} in {@code t}, bit for bit. */
        boolean equal(int id, Tensor t, BlockSet s, int i) {
            return BlockBytes.equal(tensor[id], set[id], index[id], t, s, i);
        }

        /** The first candidate id equal to block {@code i} of {@code s} in {@code t} (whose hash is {@code hash}), or -1. */
        int firstEqual(Tensor t, BlockSet s, int i, int hash, List<Integer> candidates) {
            for (int id : candidates) {
                if (hashes[id] == hash && equal(id, t, s, i)) return id;
            }
            return -1;
        }
    }

    /** Ids of every original block in the same tensor, along the same axis, of the same length. */
    private static List<Integer> candidates(List<BlockSet> parts, int[] offset, BlockSet s) {
        List<Integer> ids = new ArrayList<>();
        for (int q = 0; q < parts.size(); q++) {
            BlockSet o = parts.get(q);
            if (!o.tensor().equals(s.tensor()) || o.axis() != s.axis() || o.length() != s.length()) continue;
            for (int j = 0; j < o.count(); j++) ids.add(offset[q] + j);
        }
        return ids;
    }

    public HeadView view() { return view; }

    public int layer() { return view.layer(); }

    public int heads() { return view.heads(); }

    /** The original block id of edited block {@code i} of part {@code p}, or -1. */
    public int source(int part, int i) { return source[part][i]; }

    /** The id of block {@code i} of part {@code p}, as {@link #source} reports it. */
    public int id(int part, int i) { return offset[part] + i; }

    /** The class (lowest bit-identical original block) of id {@code id}. */
    public int classOf(int id) { return id < 0 ? -1 : classOf[id]; }

    /** True when every block of new head i (and new KV head j) comes from old head π(i) (and old KV head σ(j)). */
    public boolean consistentWith(Permutation perm) {
        return mismatches(perm).isEmpty();
    }

    /** One line per block that is not where π puts it; empty when the layer is consistent with π. */
    public List<String> mismatches(Permutation perm) {
        Optional<Permutation> sigma = kv(perm);
        List<String> wrong = new ArrayList<>();
        if (sigma.isEmpty()) {
            wrong.add("π = " + perm.toCycleString() + " splits a KV group, so no block layout is consistent with it");
            return wrong;
        }
        List<BlockSet> parts = view.parts();
        for (int p = 0; p < parts.size(); p++) {
            BlockSet s = parts.get(p);
            Permutation pp = s.kind().index() == BlockKind.Index.KV_HEAD ? sigma.get() : perm;
            for (int i = 0; i < s.count(); i++) {
                int expected = id(p, pp.apply(i));
                if (source[p][i] >= 0 && classOf[source[p][i]] == classOf[expected]) continue;
                wrong.add(mismatchLine(p, i, expected));
            }
        }
        return wrong;
    }

    private String mismatchLine(int p, int i, int expected) {
        BlockSet s = view.parts().get(p);
        String tensor = shortName(s.tensor());
        String unit = unit(s);
        if (s.kind() == BlockKind.O) {
            String axis = s.axis() == 1 ? "columns" : "rows";
            int actual = source[p][i];
            return tensor + " " + axis + " of " + unit + i + " should be original " + unit + (expected - offset[p]) + ", are "
                    + (actual < 0 ? "no original block" : describeOriginal(actual, false));
        }
        return tensor + " " + letter(s.kind()) + " of " + unit + i + " should be " + describeOriginal(expected, true)
                + ", is " + describeOriginal(source[p][i], true);
    }

    /** {@code "old head 3 k"} (or {@code "original head 3"} for o blocks), or {@code "no original block"}. */
    public String describeOriginal(int id, boolean old) {
        if (id < 0) return "no original block";
        for (int p = view.parts().size() - 1; p >= 0; p--) {
            if (id >= offset[p]) {
                BlockSet s = view.parts().get(p);
                String unit = unit(s);
                return s.kind() == BlockKind.O ? "original " + unit + (id - offset[p])
                        : (old ? "old " : "original ") + unit + (id - offset[p]) + " " + letter(s.kind()) + (s.bias() ? " bias" : "");
            }
        }
        throw new IllegalStateException("block id " + id);
    }

    /** {part, block} of a block id. */
    public int[] locate(int id) {
        for (int p = view.parts().size() - 1; p >= 0; p--) if (id >= offset[p]) return new int[] {p, id - offset[p]};
        throw new IllegalArgumentException("block id " + id);
    }

    /** The head permutation all query-head blocks agree on, if there is one. */
    public Optional<Permutation> impliedPermutation() {
        List<BlockSet> parts = view.parts();
        int first = -1;
        for (int p = 0; p < parts.size(); p++) if (parts.get(p).kind() == BlockKind.Q) { first = p; break; }
        if (first < 0) return Optional.empty();
        int[] image = new int[view.heads()];
        for (int i = 0; i < image.length; i++) {
            int src = source[first][i];
            int rel = src - offset[first];
            if (src < 0 || rel < 0 || rel >= view.heads()) return Optional.empty();
            image[i] = rel;
        }
        try {
            Permutation p = Permutation.of(image);
            return consistentWith(p) ? Optional.of(p) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Optional<Permutation> kv(Permutation perm) {
        if (perm.size() != view.heads()) throw new IllegalArgumentException("permutation of " + perm.size() + " points for " + view.heads() + " heads");
        try {
            return Optional.of(GroupedHeads.kvPermutation(perm, view.groupSize()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** "KV head " for k/v blocks under grouped-query attention, else "head ". */
    private String unit(BlockSet s) {
        return s.kind().index() == BlockKind.Index.KV_HEAD && view.groupSize() > 1 ? "KV head " : "head ";
    }

    static String letter(BlockKind k) {
        return k.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The last two components of a tensor name: {@code dense.weight}, {@code q_proj.bias}, {@code c_attn.weight}. */
    public static String shortName(String tensor) {
        int last = tensor.lastIndexOf('.');
        int prev = last > 0 ? tensor.lastIndexOf('.', last - 1) : -1;
        return tensor.substring(prev + 1);
    }
}
