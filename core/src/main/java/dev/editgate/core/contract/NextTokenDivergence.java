package dev.editgate.core.contract;

import dev.editgate.core.forward.Logits;
import java.util.Locale;

/**
 * How the edited model's next-token distribution differs from the original's at one position of a prompt:
 * KL(original ‖ edited) in nats, both top-1 tokens with the original's top-1/top-2 margin, and the largest absolute
 * logit difference. Computed from logits in double (log-softmax with the max subtracted).
 */
public record NextTokenDivergence(int position, double kl, int originalTop1, int editedTop1, double originalMargin, double maxLogitDiff) {

    /** Position {@code t} of sequence 0 of both logits. */
    public static NextTokenDivergence at(Logits original, Logits edited, int t) {
        double[] a = original.row(0, t);
        double[] b = edited.row(0, t);
        double[] la = logSoftmax(a);
        double[] lb = logSoftmax(b);
        double kl = 0, maxDiff = 0;
        for (int v = 0; v < a.length; v++) {
            double p = Math.exp(la[v]);
            if (p > 0) kl += p * (la[v] - lb[v]);
            maxDiff = Math.max(maxDiff, Math.abs(a[v] - b[v]));
        }
        return new NextTokenDivergence(t, Math.max(0, kl), original.argmax(0, t), edited.argmax(0, t), original.topTwoMargin(0, t), maxDiff);
    }

    /** Every position of sequence 0. */
    public static NextTokenDivergence[] all(Logits original, Logits edited) {
        NextTokenDivergence[] out = new NextTokenDivergence[original.seq()];
        for (int t = 0; t < out.length; t++) out[t] = at(original, edited, t);
        return out;
    }

    /** Whether this position keeps {@code bound}. */
    public boolean within(PreservationBound bound) {
        return switch (bound.metric()) {
            case KL -> kl <= bound.bound();
            case TOP1 -> originalTop1 == editedTop1 || originalMargin < bound.bound();
            case LOGITS -> maxLogitDiff <= bound.bound();
        };
    }

    /** The number the bound is about (KL, 0/1 disagreement, max logit difference). */
    public double measure(PreservationBound.Metric metric) {
        return switch (metric) {
            case KL -> kl;
            case TOP1 -> originalTop1 == editedTop1 ? 0 : 1;
            case LOGITS -> maxLogitDiff;
        };
    }

    public static double[] logSoftmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : logits) max = Math.max(max, x);
        double sum = 0;
        for (double x : logits) sum += Math.exp(x - max);
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) out[i] = logits[i] - lse;
        return out;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "pos %d: KL %.3g, top-1 %d -> %d (margin %.3g), max |Δlogit| %.3g",
                position, kl, originalTop1, editedTop1, originalMargin, maxLogitDiff);
    }
}
