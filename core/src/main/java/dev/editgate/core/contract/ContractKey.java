package dev.editgate.core.contract;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every key of a contract, with one name used alike in a contract file ({@code max-rank = 1}), as a flag
 * ({@code editgate contract --set max-rank=1}) and as a system property ({@code -Deditgate.contract.max-rank=1}).
 * {@link #MAX_RANK_FOR} is a family of keys: {@code max-rank.GLOB}.
 */
public enum ContractKey {
    EDIT_NAME("edit.name", "the edit's name, sent as the protocol-2 \"edit\" field (default: the built-in edit's name, else 'lab-edit')"),
    EDIT_PARAMS("edit.params", "the edit's parameters, a JSON object sent as \"params\" (default {})"),
    EDIT_TAKES_PARAMS("edit.takes-params", "true: the gate generates requests (prompt, target) and calls the edit once per request (default false: once)"),
    EDIT_REQUESTS("edit.requests", "how many generated requests when the edit takes parameters (default 4)"),
    TENSORS_ALLOWED("tensors.allowed", "comma-separated tensor names or globs (* within a dot-separated part, ** across parts) the edit may change"),
    MAX_RANK("max-rank", "the largest rank of ΔW of every changed tensor (singular values above a dtype-aware threshold)"),
    MAX_RANK_FOR("max-rank.", "max-rank.GLOB = k: the rank bound for the tensors GLOB matches (overrides max-rank)"),
    MAX_RELATIVE_NORM("max-relative-norm", "the largest ‖ΔW‖_F / ‖W‖_F of every changed tensor"),
    PRESERVATION_METRIC("preservation.metric", "kl, top1 or logits (default kl)"),
    PRESERVATION_BOUND("preservation.bound", "the bound of the metric at every position of an unrelated prompt (kl: nats; top1: margin below which near-ties are skipped; logits: absolute)"),
    PRESERVATION_TRIES("preservation.tries", "how many generated unrelated prompts (default 200)"),
    PRESERVATION_MAX_LENGTH("preservation.max-length", "the longest generated prompt in tokens (default 16)"),
    PRESERVATION_TEXT("preservation.text", "a text file whose token spans are one source of unrelated prompts"),
    PRESERVATION_PROMPTS("preservation.prompts", "a file of the lab's unrelated prompts, one per line (tried first, as edge cases)"),
    PRESERVATION_EXCLUDE("preservation.exclude", "' || '-separated strings: a generated prompt whose text contains one is related to the edit and skipped"),
    PRESERVATION_SEED("preservation.seed", "seed of the prompt generator (default random, printed in the report)"),
    EFFECT("effect", "' || '-separated 'prompt => target' entries: what the edit must do (target text is one token, or #ID)"),
    EFFECT_MODE("effect.mode", "top1 (default) or logprob"),
    EFFECT_DELTA("effect.delta", "logprob mode: the least rise of the target's log-prob in nats"),
    GENERALISATION("generalisation", "' || '-separated 'paraphrase => target' entries, judged with their own bound"),
    GENERALISATION_MODE("generalisation.mode", "top1 or logprob (default logprob)"),
    GENERALISATION_DELTA("generalisation.delta", "logprob mode: the least rise in nats (default 1.0)");

    /** Prefix of the system properties: {@code -Deditgate.contract.KEY=VALUE}. */
    public static final String SYSTEM_PREFIX = "editgate.contract.";

    private final String key;
    private final String description;

    ContractKey(String key, String description) {
        this.key = key;
        this.description = description;
    }

    public String key() { return key; }

    public String description() { return description; }

    /** The key {@code name} belongs to ({@code max-rank.GLOB} to {@link #MAX_RANK_FOR}), if any. */
    public static Optional<ContractKey> of(String name) {
        for (ContractKey k : values()) {
            if (k != MAX_RANK_FOR && k.key.equals(name)) return Optional.of(k);
        }
        if (name.startsWith(MAX_RANK_FOR.key) && name.length() > MAX_RANK_FOR.key.length()) return Optional.of(MAX_RANK_FOR);
        return Optional.empty();
    }

    /** True for a system property this enum names ({@code editgate.contract.KEY}). */
    public static boolean isSystemProperty(String name) {
        return name.startsWith(SYSTEM_PREFIX) && of(name.substring(SYSTEM_PREFIX.length())).isPresent();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(k -> k == MAX_RANK_FOR ? k.key + "GLOB" : k.key).toList();
    }
}
