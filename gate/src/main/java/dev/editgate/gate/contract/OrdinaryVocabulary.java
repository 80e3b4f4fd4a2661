package dev.editgate.gate.contract;

import dev.editgate.core.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tokens a generated prompt is made of, simplest first: the tokenizer's ordinary vocabulary (ids below the
 * model's vocabulary size that decode to printable text, no control characters, no replacement character, not
 * empty, not special-looking such as {@code <|endoftext|>} or {@code </s>}, and encode back to exactly themselves),
 * in id order, then any extra tokens the lab's prompts or text use. Shrinking moves prompt
 * tokens toward index 0, the lowest ordinary id.
 */
public final class OrdinaryVocabulary {
    private final int[] ids;

    private OrdinaryVocabulary(int[] ids) {
        if (ids.length == 0) throw new IllegalArgumentException("the tokenizer has no ordinary token (printable, round-tripping) below the model's vocabulary size");
        this.ids = ids;
    }

    /** The ordinary tokens of {@code tok} below {@code vocabSize}, plus {@code extra} token ids (deduplicated, appended). */
    public static OrdinaryVocabulary of(TextTokenizer tok, int vocabSize, int[] extra) {
        List<Integer> out = new ArrayList<>();
        boolean[] seen = new boolean[vocabSize];
        for (int id = 0; id < vocabSize; id++) {
            String s;
            try {
                s = tok.decode(new int[] {id});
            } catch (RuntimeException e) {
                continue;
            }
            if (!printable(s) || special(s)) continue;
            int[] back;
            try {
                back = tok.encode(s);
            } catch (RuntimeException e) {
                continue;
            }
            if (back.length == 1 && back[0] == id) {
                out.add(id);
                seen[id] = true;
            }
        }
        for (int id : extra) {
            if (id >= 0 && id < vocabSize && !seen[id]) {
                out.add(id);
                seen[id] = true;
            }
        }
        return new OrdinaryVocabulary(out.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Text that reads like a special token ({@code <|endoftext|>}, {@code <s>}, {@code </s>}, {@code <pad>}): never ordinary. */
    static boolean special(String s) {
        return s.length() > 2 && s.startsWith("<") && s.endsWith(">") && !s.strip().contains(" ");
    }

    static boolean printable(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\uFFFD' || Character.isISOControl(c) || Character.isSurrogate(c)) return false;
        }
        return true;
    }

    public int size() { return ids.length; }

    /** The token at pool index {@code i}. */
    public int id(int i) { return ids[i]; }

    /** The pool index of token {@code id}, or -1. */
    public int indexOf(int id) {
        for (int i = 0; i < ids.length; i++) if (ids[i] == id) return i;
        return -1;
    }

    @Override
    public String toString() {
        return ids.length + " ordinary tokens (first " + Arrays.toString(Arrays.copyOf(ids, Math.min(8, ids.length))) + ")";
    }
}
