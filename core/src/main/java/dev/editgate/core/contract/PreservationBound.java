package dev.editgate.core.contract;

import java.util.Locale;

/**
 * How far the edited model's next-token distribution may move on prompts unrelated to the edit, at every position:
 * {@link Metric#KL}: KL(original ‖ edited) ≤ bound (nats); {@link Metric#TOP1}: the top-1 token agrees wherever the
 * original's top-1/top-2 logit margin is at least {@code bound} (near-ties excluded); {@link Metric#LOGITS}:
 * every logit within {@code bound} of the original's.
 */
public record PreservationBound(Metric metric, double bound) {
    public enum Metric { KL, TOP1, LOGITS }

    public PreservationBound {
        if (!(bound >= 0) || Double.isInfinite(bound)) throw new IllegalArgumentException("a preservation bound must be finite and >= 0, got " + bound);
    }

    static Metric parseMetric(String key, String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "kl" -> Metric.KL;
            case "top1", "top-1" -> Metric.TOP1;
            case "logits" -> Metric.LOGITS;
            default -> throw new IllegalArgumentException("contract key '" + key + "': '" + text + "' is not a metric; expected kl, top1 or logits");
        };
    }

    @Override
    public String toString() {
        return switch (metric) {
            case KL -> String.format(Locale.ROOT, "KL(original || edited) <= %.3g nats at every position", bound);
            case TOP1 -> String.format(Locale.ROOT, "top-1 token agrees at every position whose top-1 margin is >= %.3g", bound);
            case LOGITS -> String.format(Locale.ROOT, "every logit within %.3g of the original's at every position", bound);
        };
    }
}
