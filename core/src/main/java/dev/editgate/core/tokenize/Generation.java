package dev.editgate.core.tokenize;

import dev.editgate.core.forward.KvCache;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.TransformerForward;
import java.util.Arrays;

/**
 * Greedy decoding. {@link #greedy} runs the prompt once and then one token per step against a key/value cache;
 * {@link #greedyWithoutCache} reruns the whole prefix every step (the reference the cached path is tested against).
 */
public final class Generation {
    private Generation() {}

    /** Appends the argmax token {@code maxNewTokens} times (bounded by max_position_embeddings), with a KV cache. */
    public static GreedyResult greedy(TransformerForward model, int[] prompt, int maxNewTokens) {
        check(model, prompt, maxNewTokens);
        int[] generated = new int[maxNewTokens];
        double[] margins = new double[maxNewTokens];
        if (maxNewTokens == 0) return new GreedyResult(prompt, generated, margins);
        try (KvCache cache = model.newKvCache()) {
            Logits l = model.logits(new int[][] {prompt}, cache);
            int last = prompt.length - 1;
            for (int s = 0; s < maxNewTokens; s++) {
                generated[s] = l.argmax(0, last);
                margins[s] = l.topTwoMargin(0, last);
                if (s + 1 < maxNewTokens) {
                    l = model.logits(new int[][] {{generated[s]}}, cache);
                    last = 0;
                }
            }
        }
        return new GreedyResult(prompt, generated, margins);
    }

    /** As {@link #greedy}, rerunning the full forward on the whole sequence for every new token. */
    public static GreedyResult greedyWithoutCache(TransformerForward model, int[] prompt, int maxNewTokens) {
        check(model, prompt, maxNewTokens);
        int[] seq = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        int[] generated = new int[maxNewTokens];
        double[] margins = new double[maxNewTokens];
        for (int s = 0; s < maxNewTokens; s++) {
            int len = prompt.length + s;
            Logits l = model.logits(new int[][] {Arrays.copyOf(seq, len)});
            generated[s] = l.argmax(0, len - 1);
            margins[s] = l.topTwoMargin(0, len - 1);
            seq[len] = generated[s];
        }
        return new GreedyResult(prompt, generated, margins);
    }

    private static void check(TransformerForward model, int[] prompt, int maxNewTokens) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        int limit = model.config().maxPositionEmbeddings();
        if ((long) prompt.length + maxNewTokens > limit) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens plus " + maxNewTokens
                    + " new tokens exceeds max_position_embeddings " + limit);
        }
    }
}
