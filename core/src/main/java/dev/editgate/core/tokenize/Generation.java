package dev.editgate.core.tokenize;

import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import java.util.Arrays;

/** Greedy decoding without a KV cache (each step reruns the whole prefix: fine for short probes). */
public final class Generation {
    private Generation() {}

    /** Appends the argmax token {@code maxNewTokens} times (bounded by max_position_embeddings). */
    public static GreedyResult greedy(TransformerForward model, int[] prompt, int maxNewTokens) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        int limit = model.config().maxPositionEmbeddings();
        if ((long) prompt.length + maxNewTokens > limit) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens plus " + maxNewTokens
                    + " new tokens exceeds max_position_embeddings " + limit);
        }
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
}
