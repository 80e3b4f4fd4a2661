package dev.editgate.core.probes;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.ResidualCache;
import dev.editgate.core.forward.ZIntervention;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * {@link #effect} of every set in {@code sets}, in one forward of layers {@code layer..end} from the cached residual
     * stream of the two prompts: rows 0..K-1 run the clean prompt with set k zeroed, rows K..2K-1 the corrupted prompt
     * with set k's z patched in from the clean prompt's (row k's z before the zeroing: the same clean z as a trace of
     * this model computes), and only the last position is unembedded. Equals {@link #effect} per set up to the order of
     * floating-point sums inside the larger batch.
     *
     * @param prompts the residual stream of {clean, corrupted} ({@link PatchingSetup#residuals}), from this model or
     *                any model with the same layers below {@code layer} (the original, for an edit of {@code layer})
     */
    public static List<Effect> effects(TransformerForward model, ResidualCache prompts, int layer, List<Set<Integer>> sets,
                                       PatchingSetup setup) {
        setup.requireResidualsOfThisPair(prompts);
        int k = sets.size();
        if (k == 0) return List.of();
        int[] rows = new int[2 * k];                                   // clean k times, then corrupted k times
        for (int i = 0; i < k; i++) rows[k + i] = 1;
        int[][] heads = sets.stream().map(Equivariance::toArray).toArray(int[][]::new);
        ZIntervention perRow = z -> {                                  // z [2K, T, heads, headDim]
            for (int i = 0; i < k; i++) {
                for (int h : heads[i]) z.copyHead(i, k + i, h);       // patch first: row i's z is still clean
            }
            for (int i = 0; i < k; i++) {
                for (int h : heads[i]) z.zeroHead(i, h);
            }
        };
        int last = prompts.seq() - 1;
        int[] from = new int[2 * k];
        java.util.Arrays.fill(from, last);
        List<Logits> out = model.logitsOfEachFrom(layer, prompts.rows(rows), perRow, from); // each [1, 1, V]
        List<Effect> effects = new ArrayList<>(k);
        for (int i = 0; i < k; i++) effects.add(new Effect(out.get(i).row(0, 0), setup.logitDifference(out.get(k + i))));
        return effects;
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
