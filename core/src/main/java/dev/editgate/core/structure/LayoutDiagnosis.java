package dev.editgate.core.structure;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.HalfFloats;
import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Says what a head-permutation edit did, in a researcher's terms, by rebuilding each edited tensor
 * under candidate hypotheses (layout × convention × which parts moved) with the intended π and
 * comparing bit for bit. The first hypothesis that reproduces a tensor exactly is reported; the
 * correct one is tried first, so an involution or the identity never gets a spurious finding.
 * Nothing here knows any mutant: only layouts.
 */
public final class LayoutDiagnosis {
    private LayoutDiagnosis() {}

    /** @param correct true when the three head tensors match the correct edit and nothing else changed */
    public record Diagnosis(boolean correct, List<String> findings) {
        public Diagnosis {
            findings = List.copyOf(findings);
        }
    }

    private record Hypothesis(String key, String text, Function<Tensor, Tensor> build) {}

    public static Diagnosis diagnose(Checkpoint original, Checkpoint edited, int layer, Permutation intended) {
        GptNeoxConfig c = original.config();
        int heads = c.numAttentionHeads();
        int hd = c.hiddenSize() / heads;
        int hidden = c.hiddenSize();
        int[] p = intended.toArray();
        int[] inv = HeadLayouts.inverse(p);
        List<String> findings = new ArrayList<>();

        String qkvW = GptNeoxNames.qkvWeight(layer), qkvB = GptNeoxNames.qkvBias(layer), dW = GptNeoxNames.denseWeight(layer);
        String w = match(original.tensor(qkvW), edited.tensor(qkvW), qkvHypotheses(heads, hd, hidden, p, inv));
        String b = match(original.tensor(qkvB), edited.tensor(qkvB), qkvHypotheses(heads, hd, hidden, p, inv));
        String d = match(original.tensor(dW), edited.tensor(dW), denseHypotheses(heads, hd, p, inv));

        boolean ok = w.equals("ok") && b.equals("ok") && d.equals("ok");
        if (!ok) {
            if (w.equals("inverse") && b.equals("inverse") && d.equals("dense-inverse")) {
                findings.add("every head tensor was permuted by π⁻¹: the edit uses the other convention (old head i becomes new head π(i)); "
                        + "editgate's convention is new head i = old head π(i)");
            } else if (w.equals("ok") && b.equals("ok") && d.equals("dense-inverse")) {
                findings.add("dense was permuted by the inverse π⁻¹ while QKV used π (invisible for swaps and other involutions)");
            } else if (w.equals("ok") && b.equals("identity") && !intended.isIdentity()) {
                findings.add("QKV bias was not permuted (the QKV weight was)");
                if (!d.equals("ok")) findings.add(text(dW, d, denseHypotheses(heads, hd, p, inv)));
            } else {
                List<Hypothesis> qh = qkvHypotheses(heads, hd, hidden, p, inv);
                if (w.equals(b)) {
                    if (!w.equals("ok")) findings.add("QKV weight and bias: " + text(null, w, qh));
                } else {
                    if (!w.equals("ok")) findings.add(text(qkvW, w, qh));
                    if (!b.equals("ok")) findings.add(text(qkvB, b, qh));
                }
                if (!d.equals("ok")) findings.add(text(dW, d, denseHypotheses(heads, hd, p, inv)));
            }
        }
        for (var e : original.tensors().entrySet()) {
            String name = e.getKey();
            if (name.equals(qkvW) || name.equals(qkvB) || name.equals(dW)) continue;
            Tensor t = edited.tensors().get(name);
            if (t == null) {
                findings.add("tensor " + name + " is missing from the edited checkpoint");
            } else if (!t.bitEquals(e.getValue())) {
                findings.add(name.startsWith(GptNeoxNames.layer(layer))
                        ? "tensor " + name + " changed: a head permutation of layer " + layer + " only moves QKV weight/bias and dense columns"
                        : "tensor " + name + " outside layer " + layer + " changed");
            }
        }
        for (String name : edited.names()) {
            if (!original.has(name)) findings.add("tensor " + name + " is not in the original checkpoint");
        }
        return new Diagnosis(findings.isEmpty(), findings);
    }

    private static String text(String tensor, String key, List<Hypothesis> hs) {
        String t = hs.stream().filter(h -> h.key().equals(key)).map(Hypothesis::text).findFirst().orElse(key);
        return tensor == null ? t : tensor + ": " + t;
    }

    /** The key of the first hypothesis reproducing {@code edited} bit for bit, else a values-changed key. */
    private static String match(Tensor original, Tensor edited, List<Hypothesis> hs) {
        if (edited.dtype() != original.dtype() || !java.util.Arrays.equals(edited.shape(), original.shape())) return "shape";
        for (Hypothesis h : hs) {
            Optional<Tensor> t;
            try {
                t = Optional.of(h.build().apply(original));
            } catch (IllegalArgumentException e) {
                t = Optional.empty();
            }
            if (t.isPresent() && t.get().bitEquals(edited)) return h.key();
        }
        return "values";
    }

    private static List<Hypothesis> qkvHypotheses(int heads, int hd, int hidden, int[] p, int[] inv) {
        List<Hypothesis> hs = new ArrayList<>();
        int rows = 3 * hidden;
        hs.add(rowHyp("ok", "correct", HeadLayouts.qkvPerHead(heads, hd, p)));
        hs.add(rowHyp("identity", "not permuted at all", RowGather.identity(rows)));
        hs.add(rowHyp("inverse", "permuted by π⁻¹ instead of π (the other convention: old head i becomes new head π(i))",
                HeadLayouts.qkvPerHead(heads, hd, inv)));
        hs.add(rowHyp("component-major", "QKV rows were permuted as if laid out [3, heads, head_dim]; GPT-NeoX stores [heads, 3, head_dim]",
                HeadLayouts.qkvComponentMajor(heads, hd, p)));
        hs.add(rowHyp("component-major-inverse", "QKV rows were permuted by π⁻¹ as if laid out [3, heads, head_dim]; GPT-NeoX stores [heads, 3, head_dim]",
                HeadLayouts.qkvComponentMajor(heads, hd, inv)));
        String[] comp = {"q", "k", "v"};
        for (int mask = 1; mask < 7; mask++) {
            boolean[] moved = {(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0};
            List<String> m = new ArrayList<>(), s = new ArrayList<>();
            for (int i = 0; i < 3; i++) (moved[i] ? m : s).add(comp[i]);
            String stayed = String.join(" and ", s);
            String text = (s.equals(List.of("v")) ? "value blocks were not moved (only q and k)"
                    : "only the " + String.join(" and ", m) + " blocks of each head were moved; " + stayed + " stayed in place");
            hs.add(rowHyp("components-" + mask, text, HeadLayouts.qkvComponents(heads, hd, p, moved)));
        }
        for (int b = 1; b * heads <= rows; b++) {
            if (b == 3 * hd) continue;
            int bs = b;
            if (bs % hd != 0 && bs != 1) continue;
            hs.add(rowHyp("block-" + bs, "block size looks like " + bs + " rows instead of 3·head_dim = " + (3 * hd),
                    HeadLayouts.blocksOf(rows, bs, p)));
        }
        for (int limit = heads - 1; limit >= 1; limit--) {
            hs.add(rowHyp("truncated-" + limit, "only new heads 0.." + (limit - 1) + " were moved; heads >= " + limit + " were left as they were",
                    HeadLayouts.qkvPerHead(heads, hd, HeadLayouts.truncated(p, limit))));
        }
        hs.add(new Hypothesis("fp16", "weights are not bit-identical to any original block: values changed (they match the correct edit rounded through fp16)",
                t -> roundThroughF16(RowGather.rows(t, HeadLayouts.qkvPerHead(heads, hd, p)))));
        hs.add(new Hypothesis("values", "weights are not bit-identical to any original block arrangement tried (values changed, or an unknown layout)", t -> {
            throw new IllegalArgumentException("never matches");
        }));
        hs.add(new Hypothesis("shape", "shape or dtype differs from the original", t -> {
            throw new IllegalArgumentException("never matches");
        }));
        return hs;
    }

    private static List<Hypothesis> denseHypotheses(int heads, int hd, int[] p, int[] inv) {
        List<Hypothesis> hs = new ArrayList<>();
        int[] ok = HeadLayouts.densePerHead(heads, hd, p), bad = HeadLayouts.densePerHead(heads, hd, inv);
        hs.add(new Hypothesis("ok", "correct", t -> RowGather.columns(t, ok)));
        hs.add(new Hypothesis("identity", "dense columns were not permuted at all", t -> t));
        hs.add(new Hypothesis("dense-inverse", "dense columns were permuted by the inverse π⁻¹", t -> RowGather.columns(t, bad)));
        hs.add(new Hypothesis("rows", "dense rows were permuted instead of columns (head h owns columns h·hd..(h+1)·hd-1 of dense.weight [out, in])",
                t -> RowGather.rows(t, ok)));
        hs.add(new Hypothesis("rows-inverse", "dense rows were permuted (by π⁻¹) instead of columns", t -> RowGather.rows(t, bad)));
        hs.add(new Hypothesis("rows-and-columns", "dense rows and columns were both permuted; only its columns belong to heads",
                t -> RowGather.rows(RowGather.columns(t, ok), ok)));
        for (int limit = heads - 1; limit >= 1; limit--) {
            int[] tr = HeadLayouts.densePerHead(heads, hd, HeadLayouts.truncated(p, limit));
            hs.add(new Hypothesis("truncated-" + limit, "dense: only new heads 0.." + (limit - 1) + " were moved; heads >= " + limit + " were left as they were",
                    t -> RowGather.columns(t, tr)));
        }
        hs.add(new Hypothesis("fp16", "weights are not bit-identical to any original block: values changed (they match the correct edit rounded through fp16)",
                t -> roundThroughF16(RowGather.columns(t, ok))));
        hs.add(new Hypothesis("values", "weights are not bit-identical to any original block arrangement tried (values changed, or an unknown layout)", t -> {
            throw new IllegalArgumentException("never matches");
        }));
        hs.add(new Hypothesis("shape", "shape or dtype differs from the original", t -> {
            throw new IllegalArgumentException("never matches");
        }));
        return hs;
    }

    private static Hypothesis rowHyp(String key, String text, int[] map) {
        return new Hypothesis(key, text, t -> RowGather.rows(t, map.length == t.dim(0) ? map : fail()));
    }

    private static int[] fail() {
        throw new IllegalArgumentException("map does not fit");
    }

    /** Float tensors round-tripped through IEEE half; F16 and non-float tensors cannot be told apart and never match. */
    static Tensor roundThroughF16(Tensor t) {
        if (t.dtype() == DType.F16 || !t.dtype().isFloating()) throw new IllegalArgumentException("no fp16 rounding to see");
        return HalfFloats.roundThroughF16(t);
    }
}
