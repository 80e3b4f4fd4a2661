package dev.editgate.core.contract;

import java.util.Locale;

/**
 * What the edit must do on its target prompts: the target becomes the top-1 next token ({@link Mode#TOP1}), or
 * its log-probability rises by at least {@code delta} nats ({@link Mode#LOGPROB}).
 */
public record EffectBound(Mode mode, double delta) {
    public enum Mode { TOP1, LOGPROB }

    public EffectBound {
        if (mode == Mode.LOGPROB && !(delta > 0) ) throw new IllegalArgumentException("an effect in log-prob mode needs a delta > 0, got " + delta);
    }

    static Mode parseMode(String key, String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "top1", "top-1" -> Mode.TOP1;
            case "logprob", "log-prob" -> Mode.LOGPROB;
            default -> throw new IllegalArgumentException("contract key '" + key + "': '" + text + "' is not a mode; expected top1 or logprob");
        };
    }

    @Override
    public String toString() {
        return mode == Mode.TOP1 ? "target is the top-1 next token" : String.format(Locale.ROOT, "target log-prob rises by >= %.3g nats", delta);
    }
}
