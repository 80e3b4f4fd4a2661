package dev.editgate.core.probes;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.GptNeoxForward;
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

    public static Result check(GptNeoxForward original, GptNeoxForward edited, Permutation perm, int layer, Set<Integer> set,
                               PatchingSetup setup, double tolerance) {
        Set<Integer> mappedSet = mapped(set, perm);
        Logits base = original.logits(setup.clean());
        Logits a = original.logitsWithZ(setup.clean(), layer, ZIntervention.zeroHeads(toArray(set)));
        Logits b = edited.logitsWithZ(setup.clean(), layer, ZIntervention.zeroHeads(toArray(mappedSet)));
        int last = setup.clean()[0].length - 1;
        double diff = 0;
        double effect = 0;
        for (int v = 0; v < a.vocab(); v++) {
            diff = Math.max(diff, Math.abs(a.get(0, last, v) - b.get(0, last, v)));
            effect = Math.max(effect, Math.abs(a.get(0, last, v) - base.get(0, last, v)));
        }
        var cleanA = original.trace(setup.clean(), layer);
        var cleanB = edited.trace(setup.clean(), layer);
        double ldA = setup.logitDifference(original.logitsWithZ(setup.corrupt(), layer, ZIntervention.patchHeads(cleanA, toArray(set))));
        double ldB = setup.logitDifference(edited.logitsWithZ(setup.corrupt(), layer, ZIntervention.patchHeads(cleanB, toArray(mappedSet))));
        double patchDiff = Math.abs(ldA - ldB);
        return new Result(set, mappedSet, diff, patchDiff, effect, diff <= tolerance && patchDiff <= tolerance);
    }

    static int[] toArray(Set<Integer> s) {
        return s.stream().mapToInt(Integer::intValue).toArray();
    }
}
