package dev.editgate.core.contract;

/**
 * A prompt and the next token the edit is meant to make it produce, as the contract writes it
 * ({@code prompt => target}); {@code target} is text (it must be one token) or {@code #ID}.
 */
public record TargetPrompt(String prompt, String target) {
    public TargetPrompt {
        if (prompt == null || prompt.isEmpty()) throw new IllegalArgumentException("a target prompt needs non-empty prompt text");
        if (target == null || target.isEmpty()) throw new IllegalArgumentException("prompt '" + prompt + "' needs a target after '=>'");
    }

    /** Parses {@code "prompt => target"}; the error names the contract key and the entry. */
    public static TargetPrompt parse(String key, String entry) {
        int arrow = entry.lastIndexOf("=>");
        if (arrow < 0) throw new IllegalArgumentException("contract key '" + key + "': entry '" + entry + "' must read 'prompt => target'");
        String prompt = entry.substring(0, arrow).strip();
        String target = entry.substring(arrow + 2);
        if (target.startsWith(" ")) target = target.substring(1);   // "x => y": the one separating space is not part of the target
        return new TargetPrompt(prompt.replace("\\n", "\n"), target);
    }

    @Override
    public String toString() { return "'" + prompt + "' => '" + target + "'"; }
}
