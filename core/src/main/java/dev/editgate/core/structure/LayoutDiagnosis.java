package dev.editgate.core.structure;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.edit.GptNeoxHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Explains what a head-permutation edit did, in a researcher's terms, by matching each edited tensor of the
 * layer bit for bit against what known layouts and conventions would produce from the original with the
 * intended π ({@link HeadLayouts}). It never looks at who made the edit, only at the tensors.
 */
public final class LayoutDiagnosis {
    private LayoutDiagnosis() {}

    /** What the edit did; {@code correct} when every tensor is exactly the GPT-NeoX head permutation by π. */
    public record Diagnosis(boolean correct, List<String> findings) {
        public Diagnosis {
            findings = List.copyOf(findings);
        }

        @Override
        public String toString() {
            return correct ? "correct" : String.join("; ", findings);
        }
    }

    /** How one tensor was changed, as far as a known layout explains it. */
    enum Match { CORRECT, INVERSE, THREE_HEADS, THREE_HEADS_INVERSE, ONLY_Q_AND_K, BLOCK_SIZE, HEADS_BELOW, ROWS, ROWS_INVERSE,
        UNCHANGED, VALUES_CHANGED, SHAPE_CHANGED, UNKNOWN }

    record Found(Match match, int parameter) {}

    public static Diagnosis diagnose(Checkpoint original, Checkpoint edited, int layer, Permutation p) {
        int heads = original.config().numAttentionHeads();
        int headDim = original.config().headDim();
        List<String> findings = new ArrayList<>();

        Set<String> touched = GptNeoxHeadPermutation.touchedTensors(layer);
        Set<String> outside = new TreeSet<>(BitExactComparison.compare(original.tensors(), edited.tensors()).changedNames());
        outside.removeAll(touched);
        if (!outside.isEmpty()) {
            List<String> shown = outside.stream().limit(4).toList();
            findings.add("tensors outside layer " + layer + "'s attention changed: " + String.join(", ", shown)
                    + (outside.size() > shown.size() ? " and " + (outside.size() - shown.size()) + " more" : ""));
        }

        String wName = GptNeoxNames.qkvWeight(layer);
        String bName = GptNeoxNames.qkvBias(layer);
        String dName = GptNeoxNames.denseWeight(layer);
        Found w = classifyQkv(original.tensor(wName), edited.tensor(wName), heads, p);
        Found b = classifyQkv(original.tensor(bName), edited.tensor(bName), heads, p);
        Found d = classifyDense(original.tensor(dName), edited.tensor(dName), heads, p);
        boolean correct = outside.isEmpty() && w.match == Match.CORRECT && b.match == Match.CORRECT && d.match == Match.CORRECT;
        if (correct) return new Diagnosis(true, List.of());

        if (w.match == Match.INVERSE && b.match == Match.INVERSE && d.match == Match.INVERSE) {
            findings.add("the edit applied π⁻¹ to every tensor: it reads the permutation as new head π(i) = old head i, "
                    + "while editgate's convention is new head i = old head π(i) (the result is the head permutation π⁻¹)");
            return new Diagnosis(false, findings);
        }
        if (w.match != Match.CORRECT) {
            findings.add(qkvFinding(w, "QKV" + (b.equals(w) ? "" : " weight"), headDim, heads, wName));
        }
        if (b.match != Match.CORRECT && !b.equals(w)) {
            findings.add(b.match == Match.UNCHANGED ? "QKV bias was not permuted" : qkvFinding(b, "QKV bias", headDim, heads, bName));
        }
        if (d.match != Match.CORRECT) {
            findings.add(denseFinding(d, w.match == Match.CORRECT, dName));
        }
        return new Diagnosis(false, findings);
    }

    static Found classifyQkv(Tensor original, Tensor edited, int heads, Permutation p) {
        if (!sameLayout(original, edited)) return new Found(Match.SHAPE_CHANGED, 0);
        if (edited.bitEquals(HeadLayouts.qkvPerHead(original, heads, p))) return new Found(Match.CORRECT, 0);
        if (edited.bitEquals(HeadLayouts.qkvPerHead(original, heads, p.inverse()))) return new Found(Match.INVERSE, 0);
        if (edited.bitEquals(HeadLayouts.qkvThreeHeads(original, heads, p))) return new Found(Match.THREE_HEADS, 0);
        if (edited.bitEquals(HeadLayouts.qkvThreeHeads(original, heads, p.inverse()))) return new Found(Match.THREE_HEADS_INVERSE, 0);
        if (edited.bitEquals(original)) return new Found(Match.UNCHANGED, 0);
        if (edited.bitEquals(HeadLayouts.qkvComponents(original, heads, p, true, true, false))) return new Found(Match.ONLY_Q_AND_K, 0);
        for (int k : new int[] {1, 2, 4, 6}) {
            Tensor candidate = HeadLayouts.qkvBlockSize(original, heads, k, p);
            if (candidate != null && edited.bitEquals(candidate)) return new Found(Match.BLOCK_SIZE, k);
        }
        for (int limit = heads - 1; limit >= 1; limit--) { // the largest bound that explains it: the strongest claim
            if (edited.bitEquals(HeadLayouts.qkvHeadsBelow(original, heads, limit, p))) return new Found(Match.HEADS_BELOW, limit);
        }
        return new Found(blocksAllFromOriginal(original, edited, 3 * heads, false) ? Match.UNKNOWN : Match.VALUES_CHANGED, 0);
    }

    static Found classifyDense(Tensor original, Tensor edited, int heads, Permutation p) {
        if (!sameLayout(original, edited)) return new Found(Match.SHAPE_CHANGED, 0);
        if (edited.bitEquals(HeadLayouts.denseColumns(original, heads, p))) return new Found(Match.CORRECT, 0);
        if (edited.bitEquals(HeadLayouts.denseColumns(original, heads, p.inverse()))) return new Found(Match.INVERSE, 0);
        if (edited.bitEquals(HeadLayouts.denseRows(original, heads, p))) return new Found(Match.ROWS, 0);
        if (edited.bitEquals(HeadLayouts.denseRows(original, heads, p.inverse()))) return new Found(Match.ROWS_INVERSE, 0);
        if (edited.bitEquals(original)) return new Found(Match.UNCHANGED, 0);
        for (int limit = heads - 1; limit >= 1; limit--) {
            if (edited.bitEquals(HeadLayouts.denseHeadsBelow(original, heads, limit, p))) return new Found(Match.HEADS_BELOW, limit);
        }
        boolean fromOriginal = blocksAllFromOriginal(original, edited, heads, true) || blocksAllFromOriginal(original, edited, heads, false);
        return new Found(fromOriginal ? Match.UNKNOWN : Match.VALUES_CHANGED, 0);
    }

    private static String qkvFinding(Found f, String what, int headDim, int heads, String name) {
        return switch (f.match) {
            case INVERSE -> what + " rows were permuted by the inverse π⁻¹ (new head π(i) = old head i)";
            case THREE_HEADS -> what + " rows were permuted as if laid out [3, heads, head_dim]; GPT-NeoX stores [heads, 3, head_dim]";
            case THREE_HEADS_INVERSE -> what + " rows were permuted by π⁻¹ as if laid out [3, heads, head_dim]; GPT-NeoX stores [heads, 3, head_dim]";
            case UNCHANGED -> what + " was not permuted";
            case ONLY_Q_AND_K -> "value blocks were not moved (only q and k): " + what + " v rows of each head stayed in place";
            case BLOCK_SIZE -> what + " rows were moved in blocks of " + f.parameter + "·head_dim = " + f.parameter * headDim
                    + " rows; a head owns 3·head_dim = " + 3 * headDim + " rows";
            case HEADS_BELOW -> "only heads below " + f.parameter + " were moved in " + what + "; heads " + f.parameter + ".." + (heads - 1)
                    + " were left in place";
            case VALUES_CHANGED -> "values changed: some blocks of " + name + " are not bit-identical to any original block"
                    + " (rounded, e.g. through fp16, or recomputed)";
            case SHAPE_CHANGED -> name + " changed shape or dtype";
            default -> name + " rows match no known layout, though every block is an original one";
        };
    }

    private static String denseFinding(Found f, boolean qkvCorrect, String name) {
        return switch (f.match) {
            case INVERSE -> "dense was permuted by the inverse π⁻¹" + (qkvCorrect ? " while QKV used π" : "");
            case ROWS, ROWS_INVERSE -> "dense rows were permuted instead of columns: dense.weight is [out, in] and a head owns head_dim columns"
                    + (f.match == Match.ROWS_INVERSE ? " (and by π⁻¹)" : "");
            case UNCHANGED -> "dense.weight was not permuted";
            case HEADS_BELOW -> "only heads below " + f.parameter + " were moved in dense.weight";
            case VALUES_CHANGED -> "values changed: some column blocks of " + name + " are not bit-identical to any original block"
                    + " (rounded, e.g. through fp16, or recomputed)";
            case SHAPE_CHANGED -> name + " changed shape or dtype";
            default -> name + " columns match no known layout, though every block is an original one";
        };
    }

    /** Whether every block of {@code edited} (rows, or columns of a 2-D tensor) equals some block of {@code original}. */
    private static boolean blocksAllFromOriginal(Tensor original, Tensor edited, int blocks, boolean columns) {
        for (int i = 0; i < blocks; i++) {
            boolean found = false;
            for (int j = 0; j < blocks && !found; j++) {
                found = sameBlock(original, j, edited, i, blocks, columns);
            }
            if (!found) return false;
        }
        return true;
    }

    private static boolean sameBlock(Tensor a, int blockA, Tensor b, int blockB, int blocks, boolean columns) {
        java.nio.ByteBuffer x = a.data();
        java.nio.ByteBuffer y = b.data();
        if (!columns) {
            int bytes = Math.toIntExact(a.byteSize() / blocks);
            return x.slice(blockA * bytes, bytes).equals(y.slice(blockB * bytes, bytes));
        }
        int rows = a.dim(0);
        int rowBytes = Math.toIntExact(a.byteSize() / rows);
        int bytes = rowBytes / blocks;
        for (int r = 0; r < rows; r++) {
            if (!x.slice(r * rowBytes + blockA * bytes, bytes).equals(y.slice(r * rowBytes + blockB * bytes, bytes))) return false;
        }
        return true;
    }

    private static boolean sameLayout(Tensor a, Tensor b) {
        return a.dtype() == b.dtype() && java.util.Arrays.equals(a.shape(), b.shape());
    }
}
