package dev.editgate.gate.contract;

import dev.editgate.core.tokenize.TextTokenizer;
import dev.editgate.properties.Choices;
import dev.editgate.properties.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Unrelated prompts for the preservation clause, built from one choice sequence so that they shrink: first a source
 * (0: random tokens from the {@link OrdinaryVocabulary}; 1: a span of the lab's text, when it gave one), then
 * <ul>
 * <li>random tokens: a list of pool indices, 1..maxLength long (shrinks to fewer tokens, then lower pool indices:
 *     the shortest prompt of the simplest tokens);</li>
 * <li>a text span: its start token and its length (shrinks to shorter spans earlier in the text).</li>
 * </ul>
 * {@link #encode} writes any prompt as the random-token choices that rebuild it, so the lab's own prompts are tried as
 * edge cases and a failing span is shrunk further token by token.
 */
public final class PromptGen implements Gen<Prompt> {
    private static final double MORE = 0.8;                    // mean 4 optional tokens after the first
    private final OrdinaryVocabulary pool;
    private final int[] text;                                  // the lab's text, tokenized, or empty
    private final int maxLength;
    private final IntFunction<String> decodeOne;
    private final java.util.function.Function<int[], String> decode;

    public PromptGen(OrdinaryVocabulary pool, int[] text, int maxLength, TextTokenizer tok) {
        if (maxLength < 1) throw new IllegalArgumentException("prompts need a max length >= 1");
        this.pool = pool;
        this.text = text.clone();
        this.maxLength = maxLength;
        this.decode = tok::decode;
        this.decodeOne = id -> tok.decode(new int[] {id});
    }

    private boolean hasText() { return text.length > 0; }

    public int maxLength() { return maxLength; }

    @Override
    public Prompt generate(Choices c) {
        int source = hasText() ? c.drawInt(1) : 0;
        if (source == 1) {
            int start = c.drawInt(text.length - 1);
            int len = 1 + c.drawInt(Math.min(maxLength, text.length - start) - 1);
            int[] ids = java.util.Arrays.copyOfRange(text, start, start + len);
            return new Prompt(ids, decode.apply(ids), "text span");
        }
        List<Integer> ids = new ArrayList<>();
        ids.add(pool.id(c.drawInt(pool.size() - 1)));
        while (ids.size() < maxLength && c.drawBoolean(MORE)) ids.add(pool.id(c.drawInt(pool.size() - 1)));
        int[] arr = ids.stream().mapToInt(Integer::intValue).toArray();
        return new Prompt(arr, decode.apply(arr), "random tokens");
    }

    /**
     * The choices that make {@link #generate} return {@code ids} as random tokens (truncated to the max length); every
     * token must be in the pool.
     */
    public long[] encode(int[] ids) {
        List<Long> out = new ArrayList<>();
        if (hasText()) out.add(0L);
        int n = Math.min(ids.length, maxLength);
        for (int i = 0; i < n; i++) {
            int idx = pool.indexOf(ids[i]);
            if (idx < 0) throw new IllegalArgumentException("token " + ids[i] + " (" + decodeOne.apply(ids[i]) + ") is not in the prompt pool");
            if (i > 0) out.add(1L);
            out.add((long) idx);
        }
        if (n < maxLength) out.add(0L);
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
