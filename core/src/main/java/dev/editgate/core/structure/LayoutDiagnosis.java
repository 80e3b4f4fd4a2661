package dev.editgate.core.structure;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BlockMove;
import dev.editgate.core.edit.BlockMoves;
import dev.editgate.core.edit.Gather;
import dev.editgate.core.edit.GroupedHeads;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.model.BlockKind;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.model.HeadView;
import dev.editgate.core.model.MistakenLayout;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.HalfFloats;
import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Says what a head-permutation edit did, in a researcher's terms, by rebuilding each edited tensor of the
 * layer's {@link HeadView} under candidate hypotheses (layout × convention × which parts moved) with the
 * intended π and comparing bit for bit. The first hypothesis that reproduces a tensor exactly is reported; the
 * correct one is tried first, so an involution or the identity never gets a spurious finding. The
 * hypotheses come from the block addresses and from the family adapter's {@link MistakenLayout}s; nothing
 * here knows any mutant.
 */
public final class LayoutDiagnosis {
    private LayoutDiagnosis() {}

    /** @param correct true when the head tensors match the correct edit and nothing else changed */
    public record Diagnosis(boolean correct, List<String> findings) {
        public Diagnosis {
            findings = List.copyOf(findings);
        }
    }

    private record Hypothesis(String key, String text, Function<Tensor, Tensor> build) {}

    private static final String[] KIND_LETTERS = {"q", "k", "v"};

    public static Diagnosis diagnose(Checkpoint original, Checkpoint edited, int layer, Permutation intended) {
        ModelLayout layout = original.layout();
        HeadView view = layout.heads(layer);
        Permutation sigma;
        try {
            sigma = GroupedHeads.kvPermutation(intended, view.groupSize());
        } catch (IllegalArgumentException e) {
            return new Diagnosis(false, List.of(e.getMessage()));
        }
        List<String> findings = new ArrayList<>();
        Map<String, String> keys = new LinkedHashMap<>();
        Map<String, List<Hypothesis>> hyps = new LinkedHashMap<>();
        for (String t : view.tensors()) {
            List<Hypothesis> hs = hypotheses(layout, view, t, intended, sigma);
            hyps.put(t, hs);
            Tensor e = edited.tensors().get(t);
            keys.put(t, e == null ? "missing" : match(original.tensor(t), e, hs));
        }
        if (!keys.values().stream().allMatch("ok"::equals)) combine(layout, view, intended, sigma, keys, hyps, findings);

        Set<String> headTensors = view.tensors();
        for (var e : original.tensors().entrySet()) {
            String name = e.getKey();
            if (headTensors.contains(name)) continue;
            Tensor t = edited.tensors().get(name);
            if (t == null) {
                findings.add("tensor " + name + " is missing from the edited checkpoint");
            } else if (!t.bitEquals(e.getValue())) {
                findings.add(layout.inLayer(name, layer)
                        ? "tensor " + name + " changed: a head permutation of layer " + layer + " only moves the head blocks of "
                                + String.join(", ", headTensors.stream().map(HeadBlockCorrespondence::shortName).toList())
                        : "tensor " + name + " outside layer " + layer + " changed");
            }
        }
        for (String name : edited.names()) {
            if (!original.has(name)) findings.add("tensor " + name + " is not in the original checkpoint");
        }
        return new Diagnosis(findings.isEmpty(), findings);
    }

    /** Turns per-tensor keys into findings, naming the patterns that span tensors first. */
    private static void combine(ModelLayout layout, HeadView view, Permutation p, Permutation sigma, Map<String, String> keys,
                                Map<String, List<Hypothesis>> hyps, List<String> findings) {
        String oTensor = tensorOf(view, BlockKind.O, false);
        List<String> qSide = keys.keySet().stream().filter(t -> !t.equals(oTensor)).toList();
        boolean qSideOk = qSide.stream().allMatch(t -> keys.get(t).equals("ok"));
        String fused = fusedLabel(layout, view);
        String qSideName = fused != null ? fused : "q/k/v";
        String oLabel = view.parts().stream().filter(s -> s.kind() == BlockKind.O).findFirst().orElseThrow().label();
        // k/v blocks moved by σ cannot tell π from π⁻¹ when σ is its own inverse (e.g. π inside one KV group)
        boolean kvBlind = sigma.equals(sigma.inverse());
        boolean allInverse = keys.values().stream().anyMatch("inverse"::equals) && keys.entrySet().stream()
                .allMatch(e -> e.getValue().equals("inverse") || (kvBlind && e.getValue().equals("ok")
                        && kindsIn(view, e.getKey()).stream().allMatch(k -> k.index() == BlockKind.Index.KV_HEAD)));
        if (allInverse) {
            findings.add("every head tensor was permuted by π⁻¹: the edit uses the other convention (old head i becomes new head π(i)); "
                    + "editgate's convention is new head i = old head π(i)");
            return;
        }
        if (qSideOk && keys.get(oTensor).equals("inverse")) {
            findings.add(oLabel + " was permuted by the inverse π⁻¹ while " + qSideName + " used π (invisible for swaps and other involutions)");
            return;
        }
        if (view.groupSize() > 1 && !sigma.isIdentity()) {
            List<String> kv = new ArrayList<>();
            for (String t : keys.keySet()) if (kindsIn(view, t).stream().allMatch(k -> k.index() == BlockKind.Index.KV_HEAD)) kv.add(t);
            boolean qoOk = keys.entrySet().stream().filter(e -> !kv.contains(e.getKey())).allMatch(e -> e.getValue().equals("ok"));
            if (qoOk && !kv.isEmpty() && kv.stream().allMatch(t -> keys.get(t).equals("identity"))) {
                findings.add(String.join(" and ", kv.stream().map(HeadBlockCorrespondence::shortName).toList())
                        + " were left in place while query heads moved to other KV groups (σ = " + sigma.toCycleString()
                        + "): with grouped-query attention the KV heads must move with their group");
                return;
            }
        }
        List<String> rest = new ArrayList<>(keys.keySet());
        // a bias left in place while its weight moved
        for (String t : new ArrayList<>(rest)) {
            if (!keys.get(t).equals("identity") || p.isIdentity() || !isBias(view, t)) continue;
            String weight = weightOf(view, t);
            if (weight != null && keys.get(weight).equals("ok")) {
                findings.add(fused != null ? fused + " bias was not permuted (the " + fused + " weight was)"
                        : HeadBlockCorrespondence.shortName(t) + " was not permuted (its weight was)");
                rest.remove(t);
                rest.remove(weight);
            }
        }
        // a fused weight and its bias that went wrong the same way
        if (fused != null) {
            String w = tensorOf(view, BlockKind.Q, false), b = tensorOf(view, BlockKind.Q, true);
            if (w != null && b != null && rest.contains(w) && rest.contains(b) && keys.get(w).equals(keys.get(b))) {
                if (!keys.get(w).equals("ok")) findings.add(fused + " weight and bias: " + text(keys.get(w), hyps.get(w)));
                rest.remove(w);
                rest.remove(b);
            }
        }
        Map<String, List<String>> byKey = new LinkedHashMap<>();       // tensors that went wrong the same way: one finding
        for (String t : rest) if (!keys.get(t).equals("ok")) byKey.computeIfAbsent(keys.get(t), k -> new ArrayList<>()).add(t);
        byKey.forEach((key, ts) -> findings.add((ts.size() == 1 ? ts.get(0)
                : String.join(", ", ts.stream().map(HeadBlockCorrespondence::shortName).toList())) + ": " + text(key, hyps.get(ts.get(0)))));
    }

    private static String text(String key, List<Hypothesis> hs) {
        if (key.equals("missing")) return "missing from the edited checkpoint";
        return hs.stream().filter(h -> h.key().equals(key)).map(Hypothesis::text).findFirst().orElse(key);
    }

    /** The key of the first hypothesis reproducing {@code edited} bit for bit, else a values-changed key. */
    private static String match(Tensor original, Tensor edited, List<Hypothesis> hs) {
        if (edited.dtype() != original.dtype() || !Arrays.equals(edited.shape(), original.shape())) return "shape";
        for (Hypothesis h : hs) {
            Tensor t;
            try {
                t = h.build().apply(original);
            } catch (IllegalArgumentException | ArithmeticException e) {
                continue;
            }
            if (t != null && t.bitEquals(edited)) return h.key();
        }
        return "values";
    }

    private static List<Hypothesis> hypotheses(ModelLayout layout, HeadView view, String tensor, Permutation p, Permutation sigma) {
        List<BlockSet> parts = view.partsIn(tensor);
        boolean o = parts.stream().anyMatch(s -> s.kind() == BlockKind.O);
        String prefix = o ? parts.get(0).label() + ": " : "";
        Permutation pInv = p.inverse(), sInv = sigma.inverse();
        List<Hypothesis> hs = new ArrayList<>();
        hs.add(moved("ok", "correct", parts, p, sigma));
        hs.add(new Hypothesis("identity", o ? parts.get(0).label() + " columns were not permuted at all" : "not permuted at all", t -> t));
        hs.add(moved("inverse", o ? parts.get(0).label() + " was permuted by the inverse π⁻¹"
                : "permuted by π⁻¹ instead of π (the other convention: old head i becomes new head π(i))", parts, pInv, sInv));
        List<BlockKind> kinds = parts.stream().map(BlockSet::kind).distinct().toList();
        if (kinds.size() > 1) {
            for (int mask = 1; mask < (1 << kinds.size()) - 1; mask++) {
                List<String> m = new ArrayList<>(), s = new ArrayList<>();
                List<BlockSet> movedParts = new ArrayList<>();
                for (int k = 0; k < kinds.size(); k++) {
                    boolean in = (mask & (1 << k)) != 0;
                    (in ? m : s).add(kinds.get(k).name().toLowerCase(java.util.Locale.ROOT));
                    if (in) for (BlockSet b : parts) if (b.kind() == kinds.get(k)) movedParts.add(b);
                }
                String text = s.equals(List.of("v")) ? "value blocks were not moved (only q and k)"
                        : "only the " + String.join(" and ", m) + " blocks of each head were moved; " + String.join(" and ", s) + " stayed in place";
                hs.add(moved("components-" + mask, text, movedParts, p, sigma));
            }
        }
        for (MistakenLayout ml : layout.architecture().mistakenLayouts(view)) {
            if (!ml.tensor().equals(tensor)) continue;
            hs.add(moved(ml.key(), ml.text(), ml.parts(), p, sigma));
            hs.add(moved(ml.key() + "-inverse", ml.text() + " (and by π⁻¹)", ml.parts(), pInv, sInv));
        }
        addBlockSizes(hs, parts, view, p);
        if (view.groupSize() > 1) addGroupSizes(hs, parts, view, p);
        for (int limit = view.heads() - 1; limit >= 1; limit--) {
            int kvLimit = limit / view.groupSize();
            hs.add(moved("truncated-" + limit, prefix + "only new heads 0.." + (limit - 1) + " were moved; heads >= " + limit
                    + " were left as they were", parts, truncated(p.toArray(), limit), truncated(sigma.toArray(), kvLimit)));
        }
        Hypothesis correct = hs.get(0);
        hs.add(new Hypothesis("fp16", "weights are not bit-identical to any original block: values changed (they match the correct edit rounded through fp16)",
                t -> roundThroughF16(correct.build().apply(t))));
        return hs;
    }

    /** Row blocks of a size other than the true per-head group (NeoX's 3·head_dim), where heads are contiguous. */
    private static void addBlockSizes(List<Hypothesis> hs, List<BlockSet> parts, HeadView view, Permutation p) {
        if (parts.size() < 2 || parts.get(0).count() < 2) return;
        BlockSet first = parts.get(0);
        int stride = first.start(1) - first.start(0);
        if (stride != parts.size() * first.length() || first.axis() != 0) return;      // q, k, v of a head are adjacent
        int heads = view.heads(), hd = view.headDim(), rows = stride * heads;
        String tensor = first.tensor();
        for (int b = 1; b * heads <= rows; b++) {
            if (b == stride || (b % hd != 0 && b != 1)) continue;
            BlockSet blocks = BlockSet.strided(BlockKind.Q, false, "blocks", tensor, 0, b, heads, 0, b);
            hs.add(moved("block-" + b, "block size looks like " + b + " rows instead of " + parts.size() + "·head_dim = " + stride,
                    List.of(blocks), p, p));
        }
    }

    /** KV heads moved as if each group had a hard-coded number of query heads G instead of heads/kv_heads. */
    private static void addGroupSizes(List<Hypothesis> hs, List<BlockSet> parts, HeadView view, Permutation p) {
        if (parts.stream().noneMatch(s -> s.kind().index() == BlockKind.Index.KV_HEAD)) return;
        for (int g : new int[] {4, 8, 2, 1}) {            // the common hard-coded sizes first (Llama-3.1-8B: 32/8)
            if (g == view.groupSize()) continue;
            int[] sg = hardCodedGroupMap(p.toArray(), view.kvHeads(), g);
            Permutation query = p;
            hs.add(new Hypothesis("group-" + g, "KV heads were moved as if each KV group had " + g + " query heads (a hard-coded group size); "
                    + "this model has " + view.groupSize() + " (num_attention_heads " + view.heads() + " / num_key_value_heads " + view.kvHeads() + ")",
                    t -> apply(t, parts.stream().map(s -> new BlockMove(s, s.kind().index() == BlockKind.Index.KV_HEAD ? sg : query.toArray())).toList())));
        }
    }

    /**
     * The KV map an edit computes when it moves k/v with each query head using a fixed group size {@code g}:
     * for i in order, new KV head i/g = old KV head π(i)/g (the last write wins); out-of-range heads are skipped.
     */
    public static int[] hardCodedGroupMap(int[] queryPerm, int kvHeads, int g) {
        int[] out = new int[kvHeads];
        for (int j = 0; j < kvHeads; j++) out[j] = j;
        for (int i = 0; i < queryPerm.length; i++) {
            if (i / g < kvHeads && queryPerm[i] / g < kvHeads) out[i / g] = queryPerm[i] / g;
        }
        return out;
    }

    private static Hypothesis moved(String key, String text, List<BlockSet> parts, Permutation p, Permutation sigma) {
        return moved(key, text, parts, p.toArray(), sigma.toArray());
    }

    /** Moves query-head block sets by the gather map {@code q} and KV-head ones by {@code kv}. */
    private static Hypothesis moved(String key, String text, List<BlockSet> parts, int[] q, int[] kv) {
        List<BlockMove> moves = parts.stream()
                .map(s -> new BlockMove(s, s.kind().index() == BlockKind.Index.KV_HEAD ? kv : q)).toList();
        return new Hypothesis(key, text, t -> apply(t, moves));
    }

    private static Tensor apply(Tensor t, List<BlockMove> moves) {
        if (moves.isEmpty()) return t;
        return BlockMoves.apply(name -> t, moves).values().iterator().next();
    }

    /** The gather map of a loop that stops early: new heads {@code i < limit} read π(i), the rest stay (not always a permutation). */
    private static int[] truncated(int[] p, int limit) {
        int[] image = Gather.identity(p.length);
        for (int i = 0; i < Math.min(limit, p.length); i++) image[i] = p[i];
        return image;
    }

    private static List<BlockKind> kindsIn(HeadView view, String tensor) {
        return view.partsIn(tensor).stream().map(BlockSet::kind).distinct().toList();
    }

    private static boolean isBias(HeadView view, String tensor) {
        return view.partsIn(tensor).stream().allMatch(BlockSet::bias);
    }

    private static String weightOf(HeadView view, String biasTensor) {
        BlockKind k = view.partsIn(biasTensor).get(0).kind();
        return tensorOf(view, k, false);
    }

    private static String tensorOf(HeadView view, BlockKind kind, boolean bias) {
        return view.parts().stream().filter(s -> s.kind() == kind && s.bias() == bias).map(BlockSet::tensor).findFirst().orElse(null);
    }

    /** "QKV" when q, k and v share one tensor (GPT-NeoX's query_key_value, GPT-2's c_attn), else null. */
    private static String fusedLabel(ModelLayout layout, HeadView view) {
        String q = tensorOf(view, BlockKind.Q, false);
        return q != null && q.equals(tensorOf(view, BlockKind.K, false)) ? layout.architecture().fusedQkvLabel() : null;
    }

    /** Float tensors round-tripped through IEEE half; F16 and non-float tensors cannot be told apart and never match. */
    static Tensor roundThroughF16(Tensor t) {
        if (t.dtype() == DType.F16 || !t.dtype().isFloating()) throw new IllegalArgumentException("no fp16 rounding to see");
        return HalfFloats.roundThroughF16(t);
    }
}
