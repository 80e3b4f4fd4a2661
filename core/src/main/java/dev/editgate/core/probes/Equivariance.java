package dev.editgate.core.probes;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.ZIntervention;
import java.util.Set;
import java.util.TreeSet;

/**
 * Does a head's function follow its weights? With new head i = old head π(i), original head j lives at new
 * index π⁻¹(j). So zero-ablating head set S in the original must have the same effect on the logits as
 * ablating π⁻¹(S) in the edited model, and patching S (clean → corrupted) likewise. For a correct
 * permutation this holds up to rounding, whatever S and π are; ablating the same indices S in the edited
 * model generally does not, which is what "specialisation follows the index" would predict.
 */
public final class Equivariance {
    private Equivariance() {}

    /**
     * @param mappedSet π⁻¹(S): where the original heads S sit in the edited model
     * @param maxAbsDifference max |logits(original, S ablated) − logits(edited, π⁻¹(S) ablated)| over the last position
     * @param ablationEffect max |logits(original, S ablated) − logits(original)|, to show the ablation does something
     */
    public record Result(Set<Integer> set, Set<Integer> mappedSet, double maxAbsDifference, double patchLdDifference,
                         double ablationEffect, boolean holds) {}

    public static Set<Integer> mapped(Set<Integer> originalHeads, Permutation perm) {
        Permutation inv = perm.inverse();
        Set<Integer> out = new TreeSet<>();
        for (int j : originalHeads) out.add(inv.apply(j));
        return out;
    }

    /** What ablating and patching a head set does in one model: last-position logits with the set zeroed, and the patched LD. */
    public record Effect(double[] ablatedLastLogits, double patchedLd) {}

    public static Effect effect(TransformerForward model, int layer, Set<Integer> heads, PatchingSetup setup) {
        int last = setup.clean()[0].length - 1;
        Logits ablated = model.logitsWithZ(setup.clean(), layer, ZIntervention.zeroHeads(toArray(heads)));
        var clean = model.trace(setup.clean(), layer);
        double ld = setup.logitDifference(model.logitsWithZ(setup.corrupt(), layer, ZIntervention.patchHeads(clean, toArray(heads))));
        return new Effect(ablated.row(0, last), ld);
    }

    public static Result check(TransformerForward original, TransformerForward edited, Permutation perm, int layer, Set<Integer> set,
                               PatchingSetup setup, double tolerance) {
        int last = setup.clean()[0].length - 1;
        double[] base = original.logits(setup.clean()).row(0, last);
        return compare(set, perm, base, effect(original, layer, set, setup), effect(edited, layer, mapped(set, perm), setup), tolerance);
    }

    /** Compares the original's effect of S with the edited model's effect of π⁻¹(S); {@code base} is the original's unablated last row. */
    public static Result compare(Set<Integer> set, Permutation perm, double[] base, Effect original, Effect edited, double tolerance) {
        double diff = 0;
        double effect = 0;
        for (int v = 0; v < base.length; v++) {
            diff = Math.max(diff, Math.abs(original.ablatedLastLogits()[v] - edited.ablatedLastLogits()[v]));
            effect = Math.max(effect, Math.abs(original.ablatedLastLogits()[v] - base[v]));
        }
        double patchDiff = Math.abs(original.patchedLd() - edited.patchedLd());
        return new Result(set, mapped(set, perm), diff, patchDiff, effect, diff <= tolerance && patchDiff <= tolerance);
    }

    static int[] toArray(Set<Integer> s) {
        return s.stream().mapToInt(Integer::intValue).toArray();
    }
}
