package dev.editgate.core.probes;

import dev.editgate.core.model.TensorRole;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.HeadZ;
import dev.editgate.core.forward.LayerTrace;
import dev.editgate.core.forward.ResidualCache;
import dev.editgate.core.forward.ZIntervention;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Per-head activation patching at z, the input of {@code attention.dense} (the only place where the
 * attention output still splits into heads). For each head h of a layer: patch h's z from the clean run into
 * the corrupted run and report the normalised patching effect (LD_patched − LD_corrupt) / (LD_clean − LD_corrupt);
 * and zero-ablate h in the clean run and report the change of LD.
 */
public final class HeadPatching {
    private HeadPatching() {}

    /**
     * @param patchEffect  per head, normalised patching effect (1 = the head alone restores the clean answer)
     * @param ablationDelta per head, LD(clean with head zeroed) − LD(clean)
     */
    public record Result(int layer, double cleanLd, double corruptLd, double[] patchEffect, double[] ablationDelta) {}

    public static Result run(TransformerForward model, PatchingSetup setup, int layer) {
        int heads = model.config().numAttentionHeads();
        LayerTrace clean = model.trace(setup.clean(), layer);
        double ldClean = setup.logitDifference(model.logits(setup.clean()));
        double ldCorrupt = setup.logitDifference(model.logits(setup.corrupt()));
        double denominator = ldClean - ldCorrupt;
        double[] patch = new double[heads];
        double[] ablate = new double[heads];
        for (int h = 0; h < heads; h++) {
            double ldPatched = setup.logitDifference(model.logitsWithZ(setup.corrupt(), layer, ZIntervention.patchHeads(clean, h)));
            patch[h] = denominator == 0 ? 0 : (ldPatched - ldCorrupt) / denominator;
            ablate[h] = setup.logitDifference(model.logitsWithZ(setup.clean(), layer, ZIntervention.zeroHeads(h))) - ldClean;
        }
        return new Result(layer, ldClean, ldCorrupt, patch, ablate);
    }

    /**
     * As {@link #run(TransformerForward, PatchingSetup, int)}, in one forward of layers {@code layer..end} from the cached
     * residual stream of the two prompts ({@link PatchingSetup#residuals}): the empty set (giving the clean and the
     * corrupted LD) and each single head, as {@link Equivariance#effects}. Equal to the per-head forwards up to the order
     * of floating-point sums inside the larger batch.
     */
    public static Result run(TransformerForward model, PatchingSetup setup, int layer, ResidualCache prompts) {
        int heads = model.config().numAttentionHeads();
        List<Set<Integer>> sets = new ArrayList<>();
        sets.add(Set.of());                                            // nothing zeroed or patched: the clean and corrupted runs
        for (int h = 0; h < heads; h++) sets.add(Set.of(h));
        List<Equivariance.Effect> effects = Equivariance.effects(model, prompts, layer, sets, setup);
        return of(layer, setup, effects.get(0), effects.subList(1, heads + 1));
    }

    /**
     * The result from {@link Equivariance#effects} already computed: {@code none} of the empty set (the clean and the
     * corrupted runs as they are), {@code singles.get(h)} of head h alone.
     */
    public static Result of(int layer, PatchingSetup setup, Equivariance.Effect none, List<Equivariance.Effect> singles) {
        int heads = singles.size();
        double ldClean = setup.logitDifference(none.ablatedLastLogits());
        double ldCorrupt = none.patchedLd();
        double denominator = ldClean - ldCorrupt;
        double[] patch = new double[heads];
        double[] ablate = new double[heads];
        for (int h = 0; h < heads; h++) {
            Equivariance.Effect e = singles.get(h);
            patch[h] = denominator == 0 ? 0 : (e.patchedLd() - ldCorrupt) / denominator;
            ablate[h] = setup.logitDifference(e.ablatedLastLogits()) - ldClean;
        }
        return new Result(layer, ldClean, ldCorrupt, patch, ablate);
    }

    /**
     * The identity behind per-head patching: Σ_h W_O[:, h-block] · z_h + b_O equals the
     * attention output. Returns the largest absolute deviation over every position and channel.
     */
    public static double decompositionError(TransformerForward model, LayerTrace trace) {
        var ck = model.checkpoint();
        var layout = ck.layout();
        String oName = layout.name(TensorRole.O_WEIGHT, trace.layer());
        boolean inOut = layout.tensorTable().stream().anyMatch(s -> s.name().equals(oName) && s.inOut());
        double[] w = ck.tensor(oName).toDoubleArray();            // [out, in] (Linear) or [in, out] (GPT-2's Conv1D)
        String biasName = layout.name(TensorRole.O_BIAS, trace.layer());
        HeadZ z = trace.z(); // [B, T, H, D]
        int hidden = trace.hidden();
        int d = z.headDim();
        int in = z.heads() * d;
        double[] bias = biasName == null ? new double[hidden] : ck.tensor(biasName).toDoubleArray(); // [hidden]
        double worst = 0;
        for (int b = 0; b < trace.batch(); b++) {
            for (int t = 0; t < trace.seq(); t++) {
                for (int out = 0; out < hidden; out++) {
                    double sum = bias[out];
                    for (int h = 0; h < z.heads(); h++) {
                        for (int k = 0; k < d; k++) {
                            int col = h * d + k;
                            sum += (inOut ? w[col * hidden + out] : w[out * in + col]) * z.get(b, t, h, k);
                        }
                    }
                    worst = Math.max(worst, Math.abs(sum - trace.attentionOut()[trace.index(b, t, out)]));
                }
            }
        }
        return worst;
    }
}
