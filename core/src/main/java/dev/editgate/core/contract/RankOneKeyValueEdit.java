package dev.editgate.core.contract;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.model.ModelConfig;
import dev.editgate.core.model.TensorRole;
import dev.editgate.core.safetensors.Tensor;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The reference knowledge edit (the idea of ROME, Meng et al. 2022), computed on the model itself: a rank-one
 * update of one layer's MLP down projection {@code W [d, ff]} that maps the MLP key of the edited prompt to a new
 * value, so the prompt's next token becomes {@code target_id}.
 *
 * <ol>
 * <li>key {@code k*} {@code [ff]}: the MLP hidden activation (the down projection's input) at the prompt's last
 *     position;</li>
 * <li>key statistics {@code C = E[k kᵀ] + λI} {@code [ff, ff]} over random token sequences (λ = ridge · trace/ff,
 *     ridge 1e-5 by default; raise it, e.g. to 1e-2, when there are fewer keys than ff);
 *     the update's key is {@code C⁻¹k* / (k*ᵀ C⁻¹ k*)}, so ΔW k* = value while keys unlike k* move little;</li>
 * <li>value {@code [d]}: the direction that raises the target's logit through the final norm
 *     ({@code (U[t] - mean U) / γ}), scaled up by doubling and then bisection until the target is the top-1 token
 *     at the prompt's last position with a logit margin of at least {@code margin} (or, with {@code logprob_rise},
 *     until the target's log-prob has risen by that many nats).</li>
 * </ol>
 *
 * <p>Parameters: {@code prompt_ids} (ints), {@code target_id}, optional {@code layer} (default: the last layer),
 * {@code margin} (default 1.0), {@code logprob_rise} (default 0: aim for top-1), {@code seed} (key statistics, default 0), {@code stat_sequences} (random 16-token
 * sequences for the key statistics, default 48), {@code ridge} (default 1e-5).
 */
public final class RankOneKeyValueEdit implements ContractEdit {
    public static final String NAME = "rank-one-key-value";
    private static final int STAT_SEQUENCES = 48;
    private static final double RIDGE = 1e-5;
    private static final int STAT_LENGTH = 16;

    @Override
    public Checkpoint apply(Checkpoint original, EditRequest request) {
        return compute(original, request).applyTo(original);
    }

    /** The update this edit would add, for mutants and reports. */
    public static RankOneUpdate compute(Checkpoint original, EditRequest request) {
        ModelConfig c = original.config();
        int layer = request.intParam("layer", c.numHiddenLayers() - 1);
        if (layer < 0 || layer >= c.numHiddenLayers()) {
            throw new IllegalArgumentException("edit '" + request.edit() + "': layer " + layer + " is out of range 0.." + (c.numHiddenLayers() - 1));
        }
        int[] prompt = request.intsParam("prompt_ids");
        int target = request.intParam("target_id");
        if (target < 0 || target >= c.vocabSize()) {
            throw new IllegalArgumentException("edit '" + request.edit() + "': target_id " + target + " is outside the vocabulary 0.." + (c.vocabSize() - 1));
        }
        double margin = request.doubleParam("margin", 1.0);
        double rise = request.doubleParam("logprob_rise", 0);     // > 0: aim for this log-prob rise instead of top-1
        long seed = request.intParam("seed", 0);
        try (TransformerForward f = TransformerForward.load(original, ComputeDtype.FLOAT32, "cpu")) {
            double[] kStar = lastKey(f, prompt, layer);
            double[] key = whitenedKey(f, layer, kStar, seed, request.intParam("stat_sequences", STAT_SEQUENCES),
                    request.doubleParam("ridge", RIDGE));
            String tensor = original.layout().name(TensorRole.MLP_DOWN_WEIGHT, layer);
            double[] direction = targetDirection(original, target);
            WeightMatrix w = WeightMatrix.of(original, tensor);
            double base = norm(times(w, kStar));                 // the MLP's current output at the key
            RankOneUpdate unit = new RankOneUpdate(tensor, direction, key);
            Goal goal = rise > 0 ? new Goal(target, -1, lastLogProb(f, prompt, target) + rise) : new Goal(target, margin, 0);
            return scaleUntil(f, original, unit, layer, prompt, goal, Math.max(base, 1e-3));
        }
    }

    /** The MLP key {@code [ff]} at the last position of {@code prompt}. */
    public static double[] lastKey(TransformerForward f, int[] prompt, int layer) {
        double[] h = f.mlpHidden(new int[][] {prompt}, layer);   // (1, T, ff)
        int ff = h.length / prompt.length;
        double[] k = new double[ff];
        System.arraycopy(h, (prompt.length - 1) * ff, k, 0, ff);
        return k;
    }

    /** {@code C⁻¹k / (kᵀC⁻¹k)} with C the second moment of keys over 48 random sequences (ridge λ = 1e-5 · trace/ff). */
    public static double[] whitenedKey(TransformerForward f, int layer, double[] k, long seed) {
        return whitenedKey(f, layer, k, seed, STAT_SEQUENCES, RIDGE);
    }

    /**
     * As {@link #whitenedKey(TransformerForward, int, double[], long)} with {@code sequences} random sequences of 16 tokens
     * and ridge λ = {@code ridge} · trace/ff.
     */
    public static double[] whitenedKey(TransformerForward f, int layer, double[] k, long seed, int sequences, double ridgeFraction) {
        if (sequences < 1) throw new IllegalArgumentException("stat_sequences must be >= 1, got " + sequences);
        int vocab = f.config().vocabSize();
        SplittableRandom r = new SplittableRandom(seed);
        int[][] seqs = new int[sequences][STAT_LENGTH];
        for (int[] s : seqs) for (int t = 0; t < s.length; t++) s[t] = r.nextInt(vocab);
        double[] keys = f.mlpHidden(seqs, layer);                // (S, L, ff)
        int ff = k.length;
        int n = keys.length / ff;
        DMatrixRMaj kMat = DMatrixRMaj.wrap(n, ff, keys);        // [N, ff]
        DMatrixRMaj cov = new DMatrixRMaj(ff, ff);
        CommonOps_DDRM.multTransA(kMat, kMat, cov);              // Kᵀ K  [ff, ff]
        CommonOps_DDRM.scale(1.0 / n, cov);
        double ridge = ridgeFraction * CommonOps_DDRM.trace(cov) / ff;
        for (int i = 0; i < ff; i++) cov.add(i, i, ridge);
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(ff);
        if (!solver.setA(cov)) throw new IllegalStateException("layer " + layer + ": key statistics are not positive definite");
        DMatrixRMaj x = new DMatrixRMaj(ff, 1);
        solver.solve(DMatrixRMaj.wrap(ff, 1, k.clone()), x);
        double dot = 0;
        for (int i = 0; i < ff; i++) dot += k[i] * x.data[i];
        double[] out = new double[ff];
        for (int i = 0; i < ff; i++) out[i] = x.data[i] / dot;
        return out;
    }

    /** Unit vector {@code [d]} that, added to the residual before the final norm, raises {@code target}'s logit. */
    public static double[] targetDirection(Checkpoint ck, int target) {
        Tensor u = ck.unembedding();                             // [V, d]
        int vocab = u.dim(0), d = u.dim(1);
        double[] mean = new double[d];
        for (int v = 0; v < vocab; v++) for (int i = 0; i < d; i++) mean[i] += u.getDouble((long) v * d + i) / vocab;
        Tensor gamma = ck.tensor(ck.layout().name(TensorRole.FINAL_NORM_WEIGHT));
        double[] w = new double[d];
        for (int i = 0; i < d; i++) {
            double g = gamma.getDouble(i);
            w[i] = Math.abs(g) < 1e-3 ? 0 : (u.getDouble((long) target * d + i) - mean[i]) / g;
        }
        double n = norm(w);
        for (int i = 0; i < d; i++) w[i] /= n;
        return w;
    }

    /** What the value's scale must reach: target top-1 with a logit margin (margin >= 0), else a log-prob of at least {@code logProb}. */
    private record Goal(int target, double margin, double logProb) {}

    private static RankOneUpdate scaleUntil(TransformerForward f, Checkpoint original, RankOneUpdate unit, int layer,
                                            int[] prompt, Goal goal, double base) {
        double lo = 0;
        double hi = base;
        for (int i = 0; i < 40 && !reaches(f, original, unit.scaled(hi), layer, prompt, goal); i++) {
            lo = hi;
            hi *= 2;
            if (i == 39) {
                throw new IllegalStateException("edit '" + NAME + "': no value scale up to " + hi + " reaches " + goal + " at layer " + layer);
            }
        }
        for (int i = 0; i < 6; i++) {                            // bisection: the smallest scale that still reaches the goal
            double mid = (lo + hi) / 2;
            if (reaches(f, original, unit.scaled(mid), layer, prompt, goal)) hi = mid; else lo = mid;
        }
        return unit.scaled(hi);
    }

    private static boolean reaches(TransformerForward f, Checkpoint original, RankOneUpdate u, int layer, int[] prompt, Goal goal) {
        Checkpoint edited = u.applyTo(original);
        try (TransformerForward e = f.withLayerReplaced(layer, edited)) {
            Logits l = e.logits(new int[][] {prompt});
            int last = prompt.length - 1;
            if (goal.margin() < 0) return NextTokenDivergence.logSoftmax(l.row(0, last))[goal.target()] >= goal.logProb();
            if (l.argmax(0, last) != goal.target()) return false;
            return l.topTwoMargin(0, last) >= goal.margin();
        }
    }

    private static double lastLogProb(TransformerForward f, int[] prompt, int target) {
        return NextTokenDivergence.logSoftmax(f.logits(new int[][] {prompt}).row(0, prompt.length - 1))[target];
    }

    private static double[] times(WeightMatrix w, double[] x) {
        double[] y = new double[w.rows()];
        for (int r = 0; r < w.rows(); r++) {
            double s = 0;
            for (int c = 0; c < w.cols(); c++) s += w.get(r, c) * x[c];
            y[r] = s;
        }
        return y;
    }

    static double norm(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return Math.sqrt(s);
    }
}
