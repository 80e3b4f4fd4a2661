package dev.editgate.core.runner;

import dev.editgate.core.forward.Logits;

/**
 * A tokenizing runner's answer for one text prompt.
 *
 * @param ids    the ids its tokenizer produced, {@code [T]}
 * @param logits its logits on them, {@code [1, T, V]}
 */
public record PromptLogits(int[] ids, Logits logits) {}
