package dev.editgate.gate.stage;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.tolerance.CalibratedTolerance;
import dev.editgate.core.tolerance.LogitComparison;
import dev.editgate.core.tolerance.LogitError;
import dev.editgate.core.tolerance.TolerancePolicy;
import dev.editgate.gate.ForwardRuntime;
import dev.editgate.gate.GateSession;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import dev.editgate.reports.model.LogitErrors;
import java.util.ArrayList;
import java.util.List;

/**
 * The edited model computes the same function: for random permutations its logits on every prompt stay
 * within the tolerance derived from the dtype's own error against float64 (or torch.testing's fixed one),
 * and the edited layer's output alone stays within a tighter, layer-local bound. Edited models run from
 * layer L on the cached residual stream of the original, so layers below L are never recomputed, with all prompts
 * in one right-padded batch; the layer-local check runs layer L alone.
 */
public final class FunctionalStage implements Stage {
    /** Layer-local outputs may differ from the original by this factor times the dtype's own layer error. */
    static final double LAYER_LOCAL_FACTOR = 2.0;
    /** Per-position error samples kept for the plot, at most. */
    static final int MAX_SAMPLES = 20_000;

    private CalibratedTolerance tolerance;
    private final List<Double> editedSamples = new ArrayList<>();
    private LogitError worst;
    private int worstPrompt;

    @Override
    public String name() { return "functional"; }

    @Override
    public String purpose() { return "the edited model's logits equal the original's within the dtype's tolerance"; }

    @Override
    public List<GateProperty<?>> properties(GateSession s) {
        ForwardRuntime rt = s.forward();
        s.listener().phase("functional: calibrating the tolerance on " + rt.prompts() + " prompts");
        ComputeDtype dtype = rt.original().dtype();
        TolerancePolicy policy = s.config().tolerance().equals("fixed")
                ? TolerancePolicy.Fixed.torchTestingDefaults(dtype)
                : TolerancePolicy.Derived.defaults(dtype);
        // the float64 logits are already cached per prompt: only the dtype original runs here
        List<Logits> references = new ArrayList<>();
        for (int i = 0; i < rt.prompts(); i++) references.add(rt.referenceLogits(i));
        // the same padded batch of all prompts as every trial's, so the baseline has the trials' rounding; a per-layer
        // kind's trials start at the edited layer, and so does this (the cached stream there is this forward's own value)
        int from = s.kind().perLayer() ? s.layer() : 0;
        List<Logits> originals = rt.logitsOfEachFrom(rt.original(), from);
        tolerance = CalibratedTolerance.of(policy, dtype, LogitComparison.compareAll(references, originals, dtype));
        s.setFunctionalTolerance(tolerance.allowedMaxAbs());
        if (!s.isHeadPermutation()) return kindProperties(s, s.kind(), rt);
        LayerLocalBound layerBound = LayerLocalBound.calibrate(rt, s.layer(), LAYER_LOCAL_FACTOR);
        Gen<Permutation> perms = Gens.headPermutations(s.heads(), s.original().config().numKeyValueHeads());
        return List.of(
                new GateProperty<Permutation>("logits within the derived tolerance",
                        "on every prompt, |edited logits - float64 original| stays within " + describe(tolerance),
                        perms, s.config().tries(),
                        p -> checkLogits(s, rt, p)),
                new GateProperty<Permutation>("edited layer's output within a layer-local bound",
                        "the residual stream after layer " + s.layer() + " matches the original's within " + layerBound.describe(),
                        perms, s.config().tries(),
                        p -> {
                            Checkpoint edited = s.applyEdit(p);
                            try (TransformerForward view = rt.original().withLayerReplaced(s.layer(), edited)) {
                                layerBound.check(view);
                            }
                        }));
    }

    /**
     * Any other kind: logits within the tolerance, and for per-layer kinds the layer-local bound. A whole-model kind
     * (residual-permutation) changes every layer, the embeddings and the unembedding, so its edited model runs in full
     * from the tokens: the comparison is full-model logits, never a layer-local prefix.
     */
    private <P> List<GateProperty<?>> kindProperties(GateSession s, dev.editgate.gate.kind.EditKind<P> kind, ForwardRuntime rt) {
        Gen<P> params = kind.generator(s.original(), s.layer());
        List<GateProperty<?>> out = new ArrayList<>();
        out.add(new GateProperty<P>("logits within the derived tolerance",
                "on every prompt, |edited logits - float64 original| stays within " + describe(tolerance)
                        + (kind.perLayer() ? "" : " (the whole edited model runs from the tokens)"),
                params, s.config().tries(), p -> checkLogits(s, rt, p), p -> "", kind::format, kind::encode));
        if (kind.perLayer()) {
            LayerLocalBound layerBound = LayerLocalBound.calibrate(rt, s.layer(), LAYER_LOCAL_FACTOR);
            out.add(new GateProperty<P>("edited layer's output within a layer-local bound",
                    "the residual stream after layer " + s.layer() + " matches the original's within " + layerBound.describe(),
                    params, s.config().tries(), p -> {
                        Checkpoint edited = s.applyEdit(p);
                        try (TransformerForward view = rt.original().withLayerReplaced(s.layer(), edited)) {
                            layerBound.check(view);
                        }
                    }, p -> "", kind::format, kind::encode));
        }
        return out;
    }

    /** The token ids of every prompt: {@code [prompts][tokens of that prompt]}. */
    private static int[][] allTokens(ForwardRuntime rt) {
        int[][] out = new int[rt.prompts()][];
        for (int i = 0; i < out.length; i++) out[i] = rt.tokens(i)[0]; // tokens(i) is a batch of one: [1][tokens]
        return out;
    }

    private void checkLogits(GateSession s, ForwardRuntime rt, Object p) {
        Checkpoint edited = s.applyEdit(p);
        boolean wholeModel = !s.kind().perLayer();
        try (TransformerForward view = wholeModel ? TransformerForward.load(edited, rt.original().dtype(), s.config().device())
                : rt.original().withLayerReplaced(s.layer(), edited)) {
            // every prompt in one padded batch; a whole-model kind runs from the tokens, a per-layer one from the cached residual
            List<Logits> all = wholeModel ? view.logitsOfEach(allTokens(rt)) : rt.logitsOfEachFrom(view, s.layer());
            for (int i = 0; i < rt.prompts(); i++) {
                Logits logits = all.get(i);
                LogitError err = LogitComparison.compare(rt.referenceLogits(i), logits, rt.original().dtype());
                record(i, err);
                if (!tolerance.accepts(err)) {
                    throw new AssertionError("prompt " + i + " (\"" + abbreviate(s.prompts().get(i)) + "\"): " + tolerance.explain(err));
                }
            }
        }
    }

    private synchronized void record(int prompt, LogitError err) {
        if (worst == null || err.maxAbs() > worst.maxAbs()) {
            worst = err;
            worstPrompt = prompt;
        }
        for (double d : err.absErrorSample()) {
            if (editedSamples.size() >= MAX_SAMPLES) break;
            editedSamples.add(d);
        }
    }

    @Override
    public void collectPlots(GateSession s) {
        if (tolerance == null) return;
        LogitError base = tolerance.baseline();
        double[] edited = editedSamples.stream().mapToDouble(Double::doubleValue).toArray();
        s.setLogitErrors(new LogitErrors(
                (tolerance.policy() instanceof TolerancePolicy.Derived ? "derived" : "fixed") + " (" + tolerance.dtype() + ")",
                tolerance.allowedMaxAbs(),
                base.maxAbs(),
                worst == null ? Double.NaN : worst.maxAbs(),
                worst == null ? Double.NaN : worst.maxRel(),
                worst == null ? "" : "prompt " + worstPrompt + ", position " + worst.worstPos() + ", token " + worst.worstToken(),
                base.absErrorSample(),
                edited));
    }

    static String describe(CalibratedTolerance t) {
        if (t.policy() instanceof TolerancePolicy.Derived d) {
            return String.format("%.3g (%.3g × the %s model's own max error %.3g against float64, + floor %.1g)",
                    t.allowedMaxAbs(), d.factor(), t.dtype(), t.baseline().maxAbs(), d.absFloor());
        }
        TolerancePolicy.Fixed f = (TolerancePolicy.Fixed) t.policy();
        return String.format("torch.testing's bound |Δ| ≤ %.1g + %.1g·|reference|", f.atol(), f.rtol());
    }

    static String abbreviate(String prompt) {
        String one = prompt.replace("\n", "\\n");
        return one.length() <= 40 ? one : one.substring(0, 37) + "...";
    }
}
