package dev.editgate.gate.kind;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.BlockActions;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.safetensors.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The generic diagnosis of any edit kind: for every block set where the edit differs from the reference, it tests the
 * hypotheses behind the usual bugs, in order: the set was <b>forgotten</b> (left as it was while the others were edited),
 * it was edited by the <b>inverse</b> parameter, it was edited along the <b>wrong axis</b> of its tensor. A set none of
 * them explains is named as such.
 */
public final class KindDiagnosis {
    private KindDiagnosis() {}

    public static <P> List<String> diagnose(EditKind<P> kind, Checkpoint original, Checkpoint edited, int layer, P p) {
        List<BlockAction> actions = kind.referenceAction(original, layer, p);
        Checkpoint reference = BlockActions.apply(original, actions);
        List<ReferenceComparison.SetMismatch> wrong = ReferenceComparison.compare(actions, edited, reference);
        List<BlockAction> inverse = kind.referenceAction(original, layer, kind.inverse(p));
        String what = kind.format(p);
        List<String> findings = new ArrayList<>();
        boolean nothingChanged = !wrong.isEmpty()
                && kind.touchedTensors(original, layer).stream().allMatch(t -> edited.tensor(t).bitEquals(original.tensor(t)));
        if (nothingChanged) {
            findings.add("the edit left every tensor it should change bit-identical to the original (" + wrong.stream()
                    .map(m -> m.action().set().label()).distinct().reduce((a, b) -> a + ", " + b).orElse("") + " unchanged): either it did"
                    + " nothing, or a factor and its inverse went onto the same block and cancelled (for a scaling: c and 1/c both on one side,"
                    + " none on the other)");
            return findings;
        }
        // sets explained by the same hypothesis are named together ("q weight 0, k weight 0, ... were edited by the inverse")
        java.util.Map<String, List<BlockSet>> grouped = new java.util.LinkedHashMap<>();
        for (ReferenceComparison.SetMismatch m : wrong) {
            BlockAction a = m.action();
            BlockSet s = a.set();
            Tensor e = edited.tensor(s.tensor());
            String predicate;
            if (sameBlocks(e, original.tensor(s.tensor()), s)) {
                predicate = " was left as it was while the other blocks were edited by " + what + ": one side of the symmetry was forgotten";
            } else if (matches(original, e, inverseOf(a, inverse))) {
                predicate = " was edited by the inverse (" + kind.format(kind.inverse(p)) + ") while the reference uses " + what
                        + ": a direction (gather/scatter, c vs 1/c) was flipped on this side";
            } else if (otherAxis(a, e) != null && matches(original, e, otherAxis(a, e))) {
                predicate = " was edited along axis " + (1 - s.axis()) + " (" + (s.axis() == 0 ? "columns" : "rows")
                        + ") instead of axis " + s.axis() + " (" + (s.axis() == 0 ? "rows" : "columns") + "): the wrong axis of the tensor";
            } else if (perQueryHeadOnKv(original, e, a, p) != null) {
                predicate = ": KV head j carries the factor of query head j, not that of its group (query heads j·g..j·g+g-1):"
                        + " the KV side was indexed per query head; on grouped-query attention KV head j serves query heads j·g.., so it must"
                        + " take their shared exponent";
            } else {
                predicate = ": " + m.blocks().size() + " of " + s.count() + " " + kind.blockNoun()
                        + " blocks differ from the reference and no hypothesis (forgotten, inverse, wrong axis) explains them";
            }
            grouped.computeIfAbsent(predicate, k -> new ArrayList<>()).add(s);
        }
        grouped.forEach((predicate, sets) -> findings.add(subject(sets) + (sets.size() == 1 || !predicate.startsWith(" was ") ? predicate
                : " were " + predicate.substring(" was ".length()).replace("left as it was ", "left as they were "))));
        return findings;
    }

    /**
     * One set: {@code label (tensor)}; up to three: each so, joined with "and"; more: their count, the first with its
     * tensor name, then the others' labels.
     */
    static String subject(List<BlockSet> sets) {
        java.util.function.Function<BlockSet, String> full = s -> s.label() + " (" + s.tensor() + ")";
        if (sets.size() == 1) return full.apply(sets.get(0));
        if (sets.size() <= 3) {
            List<String> names = sets.stream().map(full).toList();
            return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
        }
        return sets.size() + " tensors, " + full.apply(sets.get(0)) + ", " + String.join(", ", sets.subList(1, sets.size()).stream()
                .map(BlockSet::label).toList()) + ",";
    }

    /** For a scaling's KV-head set: the action with block j scaled by ±e[j] (query head j's exponent) when the edited blocks match it. */
    private static <P> BlockAction perQueryHeadOnKv(Checkpoint original, Tensor edited, BlockAction a, P p) {
        if (!(p instanceof dev.editgate.core.edit.Exponents e) || a.set().kind().index() != dev.editgate.core.model.BlockKind.Index.KV_HEAD) return null;
        for (int sign : new int[] {1, -1}) {
            int[] exps = new int[a.set().count()];
            for (int j = 0; j < exps.length; j++) exps[j] = sign * e.get(j);
            BlockAction wrong = new BlockAction(a.set(), a.source(), exps);
            if (!java.util.Arrays.equals(exps, a.exponent()) && matches(original, edited, wrong)) return wrong;
        }
        return null;
    }

    private static boolean sameBlocks(Tensor a, Tensor b, BlockSet s) {
        if (a.dtype() != b.dtype() || !java.util.Arrays.equals(a.shape(), b.shape())) return false;
        for (int i = 0; i < s.count(); i++) {
            if (!dev.editgate.core.structure.BlockBytes.equal(a, s, i, b, s, i)) return false;
        }
        return true;
    }

    /** Whether the edited tensor equals the original's with only action {@code a} applied (its other sets as the reference). */
    private static boolean matches(Checkpoint original, Tensor edited, BlockAction a) {
        if (a == null) return false;
        Tensor t = BlockActions.apply(original, List.of(a)).tensor(a.set().tensor());
        if (t.dtype() != edited.dtype() || !java.util.Arrays.equals(t.shape(), edited.shape())) return false;
        return sameBlocks(t, edited, a.set());
    }

    private static BlockAction inverseOf(BlockAction a, List<BlockAction> inverse) {
        for (BlockAction b : inverse) {
            if (b.set().equals(a.set())) return b;
        }
        return null;
    }

    /** The same action on the other axis of a 2-D tensor, when its blocks fit there; else null. */
    private static BlockAction otherAxis(BlockAction a, Tensor t) {
        BlockSet s = a.set();
        if (t.rank() != 2) return null;
        int other = 1 - s.axis();
        int end = s.start(s.count() - 1) + s.length();
        for (int i = 0; i < s.count(); i++) end = Math.max(end, s.start(i) + s.length());
        if (end > t.dim(other)) return null;
        BlockSet moved = new BlockSet(s.kind(), s.bias(), s.label(), s.tensor(), other, s.length(), s.starts());
        return new BlockAction(moved, a.source(), a.exponent());
    }
}
