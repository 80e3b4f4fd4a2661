package dev.editgate.gate.stage;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.LayerTrace;
import dev.editgate.core.forward.ResidualCache;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.probes.DecimalProbe;
import dev.editgate.core.probes.DecimalProbeBatch;
import dev.editgate.core.probes.Equivariance;
import dev.editgate.core.probes.HeadPatching;
import dev.editgate.core.probes.PatchingSetup;
import dev.editgate.core.probes.SlicePatchingDiagnostic;
import dev.editgate.gate.ForwardRuntime;
import dev.editgate.gate.GateSession;
import dev.editgate.properties.Gens;
import dev.editgate.reports.model.Heatmap;
import dev.editgate.reports.model.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Behavioural probes, run only after the structural, numeric and functional stages passed, and always
 * differential (edited vs original, never vs an expected string): the seed's decimal prompt, per-head
 * ablation and patching at z that must follow the weights (equivariance), and the check that the seed's
 * post-dense slice patching is blind to any head permutation. Probes compare two models in the same dtype,
 * each within the functional tolerance of float64, so they allow twice that tolerance.
 *
 * <p>An edited model differs from the original only in the edited layer, so the original's residual streams entering
 * that layer are computed once and every trial runs only from there: one batched forward per model and trial for all
 * head sets ({@link Equivariance#effects}), one for every decimal-probe number and the teacher-forced generation
 * ({@link DecimalProbeBatch}), one layer for the slices ({@link TransformerForward#traceFrom}).
 */
public final class BehaviouralStage implements Stage {
    static final int DECIMAL_TRIES = 4;
    static final int EQUIVARIANCE_TRIES = 12;

    private PatchingSetup setup;
    private double tolerance;
    private DecimalProbeBatch decimal;               // the original's decimal-probe side and residual streams
    private ResidualCache patchingPrompts;           // the original's residual streams of {clean, corrupted}
    private LayerTrace originalCleanTrace;           // the original's edited layer on the clean prompt
    private final Map<String, Equivariance.Effect> originalEffects = new LinkedHashMap<>();
    private double[] originalLastRow;
    private HeadPatching.Result originalPatching;    // the original's per-head patching and ablation, for the heatmap

    @Override
    public String name() { return "behavioural"; }

    @Override
    public String purpose() { return "probes agree, and per-head effects follow the weights, not the indices"; }

    @Override
    public java.util.Optional<String> notApplicable(GateSession s) {
        if (s.isHeadPermutation() || s.kind() == dev.editgate.gate.kind.EditKinds.MLP_PERMUTATION) return java.util.Optional.empty();
        return java.util.Optional.of("the behavioural probes are head probes (decimal probe, per-head patching equivariance) and"
                + " neuron ablation (mlp-permutation); none applies to this kind, whose function the functional stage checks");
    }

    @Override
    public List<GateProperty<?>> properties(GateSession s) {
        if (s.kind() == dev.editgate.gate.kind.EditKinds.MLP_PERMUTATION) return NeuronAblationProbe.properties(s, 2 * s.functionalTolerance());
        ForwardRuntime rt = s.forward();
        tolerance = 2 * s.functionalTolerance();
        s.listener().phase("behavioural: original-side probes (decimal prompts, per-head patching effects)");
        setup = PatchingSetup.of(rt.original(), rt.tokenizer());
        int layer = s.layer();
        // the seed's two prompts, or the user's prompt file when one was given
        List<String> decimalPrompts = s.config().prompts() == null ? DecimalProbe.SEED_PROMPTS : s.prompts();
        // the original's side of every differential probe, measured once, and its residual streams entering the edited
        // layer: an edited model differs from the original only from that layer on, so each trial runs only from there
        decimal = DecimalProbeBatch.prepare(rt.original(), rt.tokenizer(), decimalPrompts, DecimalProbe.NEW_TOKENS, layer);
        patchingPrompts = setup.residuals(rt.original());
        originalCleanTrace = rt.original().traceFrom(layer, patchingPrompts.rows(0));
        // in one forward: nothing ablated (the original's own last row), every single head (the report's heatmap), the
        // seed's sets; the property's fixed sets are the even, the odd and the first single heads
        List<Set<Integer>> fixedSets = new ArrayList<>();
        fixedSets.add(Set.of());
        for (int h = 0; h < s.heads(); h++) fixedSets.add(Set.of(h));
        Map<String, Set<Integer>> named = headSets(s.heads());
        for (Set<Integer> set : named.values()) if (!fixedSets.contains(set)) fixedSets.add(set);
        List<Equivariance.Effect> effects = Equivariance.effects(rt.original(), patchingPrompts, layer, fixedSets, setup);
        originalLastRow = effects.get(0).ablatedLastLogits();
        originalPatching = HeadPatching.of(layer, setup, effects.get(0), effects.subList(1, s.heads() + 1));
        for (var e : named.entrySet()) originalEffects.put(e.getKey(), effects.get(fixedSets.indexOf(e.getValue())));
        var perms = Gens.headPermutations(s.heads(), s.original().config().numKeyValueHeads());
        return List.of(
                new GateProperty<Permutation>("decimal probe agrees with the original",
                        "log-probs of \" 9.8\"/\" 9.11\", their logit difference and 20-token greedy generations match (near-ties excepted)",
                        perms, Math.min(DECIMAL_TRIES, s.config().tries()),
                        p -> withEdited(s, rt, p, edited -> {
                            DecimalProbe.Result r = DecimalProbe.compare(decimal.original(), decimal.measure(edited), rt.tokenizer(), tolerance);
                            for (DecimalProbe.PromptResult pr : r.prompts()) {
                                if (!pr.passed()) {
                                    throw new AssertionError(String.format("prompt \"%s\": numbers differ by %.3g (tolerance %.3g); generation "
                                                    + "diverges at step %d: original \"%s\", edited \"%s\"", FunctionalStage.abbreviate(pr.prompt()),
                                            pr.maxNumberDifference(), tolerance, pr.divergenceStep(), oneLine(pr.generationOriginal()),
                                            oneLine(pr.generationEdited())));
                                }
                            }
                        })),
                new GateProperty<Permutation>("head effects follow the weights (equivariance)",
                        "ablating or patching original heads S equals doing it to π⁻¹(S) in the edited model, for the even heads, the odd heads, single heads and a random set",
                        perms, Math.min(EQUIVARIANCE_TRIES, s.config().tries()),
                        p -> withEdited(s, rt, p, edited -> {
                            Map<String, Set<Integer>> sets = headSets(s.heads());
                            Set<Integer> random = randomSet(s.config().seed() ^ p.hashCode(), s.heads());
                            sets.put("random set", random);
                            // every set's edited-side effect in one forward from the edited layer (sets in map order)
                            List<Set<Integer>> mapped = sets.values().stream().map(set -> Equivariance.mapped(set, p)).toList();
                            List<Equivariance.Effect> after = Equivariance.effects(edited, patchingPrompts, layer, mapped, setup);
                            Equivariance.Effect randomBefore = Equivariance.effects(rt.original(), patchingPrompts, layer, List.of(random), setup).get(0);
                            int k = 0;
                            for (var e : sets.entrySet()) {
                                Equivariance.Effect before = originalEffects.getOrDefault(e.getKey(), randomBefore);
                                Equivariance.Result r = Equivariance.compare(e.getValue(), p, originalLastRow, before, after.get(k++), tolerance);
                                if (!r.holds()) {
                                    throw new AssertionError(String.format("%s %s: ablating them in the original vs %s in the edited model differs by "
                                                    + "%.3g in the logits and %.3g in the patched logit difference (tolerance %.3g)",
                                            e.getKey(), r.set(), r.mappedSet(), r.maxAbsDifference(), r.patchLdDifference(), tolerance));
                                }
                            }
                        })),
                new GateProperty<Permutation>("post-projection slices are blind to head permutations",
                        "every head_dim-wide post-projection slice (the attention output after the output projection) is unchanged, so patching such slices cannot see heads",
                        perms, Math.min(DECIMAL_TRIES, s.config().tries()),
                        p -> withEdited(s, rt, p, edited -> {
                            var r = SlicePatchingDiagnostic.compare(originalCleanTrace, edited.traceFrom(layer, patchingPrompts.rows(0)),
                                    s.heads(), tolerance);
                            if (!r.invariant()) {
                                throw new AssertionError("post-dense slices changed by up to "
                                        + java.util.Arrays.stream(r.sliceMaxDifference()).max().orElse(0) + " (tolerance " + tolerance + ")");
                            }
                        })));
    }

    /** The seed's sets (even heads, odd heads) and each single head. */
    static Map<String, Set<Integer>> headSets(int heads) {
        Map<String, Set<Integer>> sets = new LinkedHashMap<>();
        sets.put("even heads", IntStream.range(0, heads).filter(h -> h % 2 == 0).boxed().collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
        sets.put("odd heads", IntStream.range(0, heads).filter(h -> h % 2 == 1).boxed().collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
        for (int h = 0; h < Math.min(heads, 3); h++) sets.put("head " + h, Set.of(h));
        return sets;
    }

    /** A non-empty random head set, the same for the same seed and permutation (so a failure replays). */
    static Set<Integer> randomSet(long seed, int heads) {
        java.util.Random rnd = new java.util.Random(seed);
        Set<Integer> set = new TreeSet<>();
        while (set.isEmpty()) {
            for (int h = 0; h < heads; h++) if (rnd.nextBoolean()) set.add(h);
        }
        return set;
    }

    interface EditedCheck {
        void check(TransformerForward edited) throws Throwable;
    }

    private static void withEdited(GateSession s, ForwardRuntime rt, Permutation p, EditedCheck body) throws Throwable {
        Checkpoint edited = s.applyEdit(p);
        try (TransformerForward view = rt.original().withLayerReplaced(s.layer(), edited)) {
            body.check(view);
        }
    }

    /** Tables and the patching heatmap for one representative permutation, the reversal. */
    @Override
    public void collectPlots(GateSession s) {
        if (setup == null) return;
        ForwardRuntime rt = s.forward();
        Permutation p = NumericStage.reversal(s.heads());
        try (TransformerForward edited = rt.original().withLayerReplaced(s.layer(), s.applyEdit(p))) {
            DecimalProbe.Result d = DecimalProbe.compare(decimal.original(), decimal.measure(edited), rt.tokenizer(), tolerance);
            List<List<String>> rows = new ArrayList<>();
            for (DecimalProbe.PromptResult r : d.prompts()) {
                rows.add(List.of(oneLine(r.prompt()), "original", f(r.logProbFirstOriginal()), f(r.logProbSecondOriginal()),
                        f(r.logitDiffOriginal()), oneLine(r.generationOriginal())));
                rows.add(List.of("", "edited", f(r.logProbFirstEdited()), f(r.logProbSecondEdited()), f(r.logitDiffEdited()),
                        oneLine(r.generationEdited()) + (r.divergenceStep() < 0 ? "" : r.nearTie() ? "  [near-tie]" : "  [DIVERGES]")));
            }
            String randomWeights = s.config().model().startsWith("fixture:")
                    ? "; the fixture has random weights, so its generations are meaningless text: only edited = original matters" : "";
            s.addProbeTable(new Table("Decimal probe, π = " + p.toCycleString() + " (differential: edited vs original" + randomWeights + ")",
                    List.of("prompt", "model", "log p(\" 9.8\")", "log p(\" 9.11\")", "logit diff", "greedy continuation"), rows));

            HeadPatching.Result a = originalPatching;
            HeadPatching.Result b = HeadPatching.run(edited, setup, s.layer(), patchingPrompts);
            int heads = s.heads();
            String[] rowLabels = new String[heads];
            double[][] orig = new double[heads][];
            double[][] edit = new double[heads][];
            Permutation inv = p.inverse();
            for (int h = 0; h < heads; h++) {
                rowLabels[h] = "head " + h;
                orig[h] = new double[] {a.patchEffect()[h], a.ablationDelta()[h]};
                int at = inv.apply(h); // original head h sits at new index π⁻¹(h)
                edit[h] = new double[] {b.patchEffect()[at], b.ablationDelta()[at]};
            }
            s.addHeatmap(new Heatmap("Per-head patching at z, layer " + s.layer() + "; edited rows show original head h measured at its new index π⁻¹(h)",
                    rowLabels, new String[] {"patch effect", "ablation ΔLD"}, orig, edit));

            var slices = SlicePatchingDiagnostic.compare(originalCleanTrace, edited.traceFrom(s.layer(), patchingPrompts.rows(0)), heads, tolerance);
            List<List<String>> sliceRows = new ArrayList<>();
            for (int k = 0; k < slices.sliceMaxDifference().length; k++) {
                int width = s.original().config().hiddenSize() / heads;
                sliceRows.add(List.of("channels " + k * width + "–" + ((k + 1) * width - 1), String.format("%.3g", slices.sliceMaxDifference()[k])));
            }
            sliceRows.add(List.of("why", SlicePatchingDiagnostic.EXPLANATION));
            s.addProbeTable(new Table("Post-projection slices (head_dim-wide slices of the attention output after the output projection, not heads):"
                    + " max |edited − original|, π = " + p.toCycleString(),
                    List.of("slice", "max difference"), sliceRows));
        } catch (RuntimeException | AssertionError e) {
            s.addProbeTable(new Table("Probe plots unavailable", List.of("reason"), List.of(List.of(GateProperty.message(e)))));
        }
    }

    static String oneLine(String text) {
        return text.replace("\n", "\\n");
    }

    static String f(double x) {
        return String.format("%.4f", x);
    }
}
