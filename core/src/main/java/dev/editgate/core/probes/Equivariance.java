package dev.editgate.core.probes;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.BranchedRows;
import dev.editgate.core.forward.HeadZ;
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
     * {@link #effect} of every set in {@code sets}, from the cached residual streams of the two prompts, in two forwards
     * of layers {@code layer..end} that unembed only the last position: the clean prompt once per set (row k: set k
     * zeroed), and the corrupted prompt as {@link BranchedRows}: the prefix it shares with the clean prompt once, then one
     * branch per set over the remaining positions, with set k's z patched in from the clean prompt's (the clean rows' z
     * before the zeroing: the z a trace of this model computes). Over the shared prefix the clean and the corrupted z are
     * the same, so patching there changes nothing and the prefix runs once for all sets. Equals {@link #effect} per set
     * up to the order of floating-point sums.
     *
     * @param prompts the residual stream of {clean, corrupted} ({@link PatchingSetup#residuals}), from this model or
     *                any model with the same layers below {@code layer} (the original, for an edit of {@code layer})
     */
    public static List<Effect> effects(TransformerForward model, ResidualCache prompts, int layer, List<Set<Integer>> sets,
                                       PatchingSetup setup) {
        setup.requireResidualsOfThisPair(prompts);
        int k = sets.size();
        if (k == 0) return List.of();
        int[] clean = prompts.tokens()[0];
        int[] corrupt = prompts.tokens()[1];
        int seq = clean.length;
        int common = 0;
        while (common < seq - 1 && clean[common] == corrupt[common]) common++;  // at least the last position is a branch
        int shared = common;
        if (shared == 0 || k == 1) return effectsInOneBatch(model, prompts, layer, sets, setup); // nothing to share: one forward
        int[][] heads = sets.stream().map(Equivariance::toArray).toArray(int[][]::new);
        int[] last = new int[k];
        java.util.Arrays.fill(last, seq - 1);

        // the clean prompt, row i with set i zeroed; row 0's z before the zeroing is the clean z
        HeadZ[] cleanZ = new HeadZ[1];
        ZIntervention ablate = z -> {                                  // z [K, T, heads, headDim]
            int perRow = z.seq() * z.heads() * z.headDim();
            cleanZ[0] = new HeadZ(1, z.seq(), z.heads(), z.headDim(), java.util.Arrays.copyOf(z.values(), perRow)); // [1, T, heads, headDim]
            for (int i = 0; i < k; i++) {
                for (int h : heads[i]) z.zeroHead(i, h);
            }
        };
        List<Logits> ablated = model.logitsOfEachFrom(layer, prompts.rows(new int[k]), ablate, last); // each [1, 1, V]

        // the corrupted prompt: the shared prefix, then one branch per set, set i patched over branch i
        int[] suffix = java.util.Arrays.copyOfRange(corrupt, shared, seq);
        int[][][] branches = new int[1][k][];
        for (int i = 0; i < k; i++) branches[0][i] = suffix;
        BranchedRows rows = new BranchedRows(new int[][] {java.util.Arrays.copyOf(corrupt, shared)}, branches);
        ZIntervention patch = z -> {                                   // z [1, shared + K (T - shared), heads, headDim]
            for (int i = 0; i < k; i++) {
                int start = rows.branchStart(0, i);
                for (int j = 0; j < suffix.length; j++) {
                    for (int h : heads[i]) z.copyHead(cleanZ[0], 0, shared + j, 0, start + j, h);
                }
            }
        };
        int[][] lastSlots = {new int[k]};
        for (int i = 0; i < k; i++) lastSlots[0][i] = rows.branchStart(0, i) + suffix.length - 1;
        Logits patched = model.logitsOfBranchesFrom(layer, corruptAsRows(prompts, rows), rows, patch, lastSlots).get(0); // [1, K, V]

        List<Effect> effects = new ArrayList<>(k);
        for (int i = 0; i < k; i++) effects.add(new Effect(ablated.get(i).row(0, 0), setup.logitDifference(patched.row(0, i))));
        return effects;
    }

    /**
     * The corrupted prompt's cached streams laid out as {@code rows} (its prefix and branches over its own later
     * positions): each slot holds the stream at its position, which is what the model computes there at every layer.
     */
    private static ResidualCache corruptAsRows(ResidualCache prompts, BranchedRows rows) {
        int[] positions = rows.positions()[0];
        int seq = prompts.seq();
        int hidden = prompts.hidden();
        List<double[]> streams = new ArrayList<>();
        for (int l = 0; l <= prompts.layers(); l++) {
            double[] both = prompts.before(l);                         // [2, T, hidden]: clean, corrupted
            double[] packed = new double[positions.length * hidden];   // [1, slots, hidden]
            for (int s = 0; s < positions.length; s++) System.arraycopy(both, (seq + positions[s]) * hidden, packed, s * hidden, hidden);
            streams.add(packed);
        }
        return new ResidualCache(rows.tokens(), hidden, prompts.dtype(), streams);
    }

    /**
     * {@link #effects} when the prompts share no prefix or there is one set (no branch would share it): one forward, rows 0..K-1 the clean prompt with set k zeroed, rows
     * K..2K-1 the corrupted prompt with set k patched from row k's z before the zeroing.
     */
    static List<Effect> effectsInOneBatch(TransformerForward model, ResidualCache prompts, int layer, List<Set<Integer>> sets,
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
