package dev.editgate.gate.harness;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.ZIntervention;
import dev.editgate.core.probes.Equivariance;
import dev.editgate.core.tolerance.LogitError;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Equivariance of the runner's head patching and ablation: with new head i = old head π(i), old head h sits at
 * π⁻¹(h) in the permuted model, so patching (ablating) heads S in the original must equal patching (ablating)
 * π⁻¹(S) in the permuted model, over generated (π, S), shrunk to the smallest pair. When the runner's results do not
 * move with π at all, its "heads" are not heads: slices after the output projection, or another layer's heads.
 * Equivariance alone is vacuous for an operation that does nothing (the unpatched logits are equivariant too), so each
 * case also requires the runner's result to differ from its unpatched logits whenever editgate's own z-patching
 * (z-ablation) of the same heads changes editgate's logits by more than {@value #MEASURABLE} times the tolerance's
 * bound (a margin no correct runner within the tolerance can fall under).
 */
final class EquivarianceProperty {
    static final String NAME = "equivariance of head patching";
    static final String SLICES = "your head patching acts on slices after the output projection; those are residual coordinates, not heads";

    /** editgate's change counts as measurable above this multiple of the tolerance's max |Δ| bound. */
    static final double MEASURABLE = 4;

    private EquivarianceProperty() {}

    static String description(HarnessContext c) {
        return "patch_heads/ablate_heads of S at layer " + c.layer() + " in the original equal those of π⁻¹(S) in the permuted model "
                + "(new head i = old head π(i)), over random (π, S), shrunk to the smallest pair; and they change the runner's logits "
                + "wherever editgate's z-patching of S changes its own by more than " + (int) MEASURABLE + "× the tolerance";
    }

    static Gen<PatchingCase> gen(HarnessContext c) {
        int heads = c.heads();
        Gen<SortedSet<Integer>> sets = Gens.subsets(heads).filter(s -> !s.isEmpty());
        return Gens.combine(Gens.headPermutations(heads, c.original().config().numKeyValueHeads()), sets, PatchingCase::new);
    }

    /** A clean and a corrupted sequence of the same length, fixed by the seed. */
    static int[][][] inputs(HarnessContext c) {
        Random r = new Random(c.settings().seed() ^ 0xC0FFEEL);
        int len = Math.max(2, c.settings().maxLength() / 2);
        int[][][] pair = new int[2][1][len];
        for (int[][] p : pair) for (int t = 0; t < len; t++) p[0][t] = r.nextInt(c.vocab());
        return pair;
    }

    /** patch_heads when {@code clean} is non-null, else ablate_heads, on the runner. */
    private static Logits runner(HarnessContext c, Path model, int[][] clean, int[][] corrupt, int[] heads) {
        return clean == null ? c.runner().ablateHeads(model, corrupt, c.layer(), heads, c.vocab())
                : c.runner().patchHeads(model, clean, corrupt, c.layer(), heads, c.vocab());
    }

    /** The same on editgate's float64 forward at {@code layer}, patching z (the input of the output projection). */
    private static Logits editgate(HarnessContext c, int layer, int[][] clean, int[][] corrupt, int[] heads) {
        ZIntervention f = clean == null ? ZIntervention.zeroHeads(heads)
                : ZIntervention.patchHeads(c.reference().trace(clean, layer), heads);
        return c.reference().logitsWithZ(corrupt, layer, f);
    }

    /**
     * One case, for each operation the runner answers; {@code unpatched} gives the runner's logits of {@code corrupt}
     * on the original (asked once by the caller).
     */
    static void check(HarnessContext c, int[][] clean, int[][] corrupt, PatchingCase pc, Supplier<Logits> unpatched) {
        if (c.runner().hello().can("patch_heads")) checkOne(c, "patch_heads", clean, corrupt, pc, unpatched);
        if (c.runner().hello().can("ablate_heads")) checkOne(c, "ablate_heads", null, corrupt, pc, unpatched);
    }

    private static void checkOne(HarnessContext c, String op, int[][] clean, int[][] corrupt, PatchingCase pc, Supplier<Logits> unpatched) {
        Permutation perm = pc.perm();
        Set<Integer> mapped = Equivariance.mapped(pc.heads(), perm);
        int[] s = pc.headArray();
        int[] sMapped = mapped.stream().mapToInt(Integer::intValue).toArray();
        Path original = c.runner().originalFolder();
        Path permuted = c.permutedModel(perm);
        Logits a = runner(c, original, clean, corrupt, s);
        Logits b = runner(c, permuted, clean, corrupt, sMapped);
        LogitError e = c.error(a, b);
        if (c.tolerance().accepts(e)) {
            requireEffect(c, op, clean, corrupt, pc, a, unpatched.get());
            return;
        }
        String msg = op + " of S = " + pc.heads() + " in the original and of π⁻¹(S) = " + mapped + " in the model permuted by π = "
                + perm.toCycleString() + " differ: " + c.tolerance().explain(e);
        throw new HarnessFailure(msg, diagnose(c, op, clean, corrupt, pc, a, permuted));
    }

    /** Fails when editgate's z-patching of S changes its logits measurably and the runner's {@code patched} equal its {@code unpatched}. */
    private static void requireEffect(HarnessContext c, String op, int[][] clean, int[][] corrupt, PatchingCase pc, Logits patched, Logits unpatched) {
        if (!c.close(unpatched, patched)) return; // the runner's operation did something
        String what = clean == null ? "z-ablation" : "z-patching";
        LogitError ours = c.error(c.reference().logits(corrupt), editgate(c, c.layer(), clean, corrupt, pc.headArray()));
        double bound = c.tolerance().allowedMaxAbs();
        if (!(ours.maxAbs() > MEASURABLE * bound)) return; // editgate's own change is too small to demand one
        String msg = op + " of S = " + pc.heads() + " at layer " + c.layer() + " changes nothing: the runner's logits equal its unpatched ones ("
                + c.tolerance().explain(c.error(unpatched, patched)) + ")";
        String diagnosis = String.format("the runner's %s has no effect: its logits equal the unpatched ones while editgate's %s of the same heads "
                + "changes them by max |Δ| %.3e (%.0f× the tolerance's bound %.3e). Check that the hook is registered on a module the forward "
                + "calls, at layer %d, and that its result is used.", op, what, ours.maxAbs(), ours.maxAbs() / bound, bound, c.layer());
        throw new HarnessFailure(msg, diagnosis);
    }

    private static String diagnose(HarnessContext c, String op, int[][] clean, int[][] corrupt, PatchingCase pc, Logits a, Path permuted) {
        int[] s = pc.headArray();
        Logits sameIndices = runner(c, permuted, clean, corrupt, s);
        if (c.close(a, sameIndices)) { // the result does not move with π
            if (c.close(editgate(c, c.layer(), clean, corrupt, s), a)) return "";
            int layers = c.original().config().numHiddenLayers();
            for (int l = 0; l < layers; l++) {
                if (l != c.layer() && c.close(editgate(c, l, clean, corrupt, s), a)) {
                    return "the runner's " + op + " acts on layer " + l + " when asked for layer " + c.layer()
                            + ": its results equal editgate's z-" + (clean == null ? "ablation" : "patching") + " of the same heads at layer " + l
                            + ", which a permutation of layer " + c.layer() + " leaves in place.";
                }
            }
            return SLICES;
        }
        TreeSet<Integer> forward = new TreeSet<>();
        for (int h : s) forward.add(pc.perm().apply(h));
        int[] f = forward.stream().mapToInt(Integer::intValue).toArray();
        if (c.close(a, runner(c, permuted, clean, corrupt, f))) {
            return "the runner's results follow π(S) = " + forward + " rather than π⁻¹(S): it maps heads with the scatter convention "
                    + "(new head π(i) = old head i) where the permutation gathers (new head i = old head π(i)).";
        }
        return "";
    }
}
