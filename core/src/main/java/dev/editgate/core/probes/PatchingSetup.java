package dev.editgate.core.probes;

import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.tokenize.TextTokenizer;
import java.util.Arrays;

/**
 * A clean/corrupted prompt pair of equal token length and the two answer tokens whose logit difference
 * (LD = logit[answer] − logit[foil] at the last position) is the patching metric, as in the
 * activation-patching literature. The answer is the original model's top token on the clean prompt, the
 * foil its top token on the corrupted prompt (or its second choice on the clean prompt when both agree).
 */
public record PatchingSetup(int[][] clean, int[][] corrupt, int answer, int foil) {
    public static final String CLEAN = "Which is bigger: 9.8 or 9.11? The bigger one is";
    public static final String CORRUPT = "Which is bigger: 9.11 or 9.8? The bigger one is";

    /** The default pair, tokenized; both prompts are cut to the shorter one's length. */
    public static PatchingSetup of(TransformerForward original, TextTokenizer tok) {
        return of(original, tok.encode(CLEAN), tok.encode(CORRUPT));
    }

    public static PatchingSetup of(TransformerForward original, int[] clean, int[] corrupt) {
        int n = Math.min(clean.length, corrupt.length);
        int[][] c = {Arrays.copyOf(clean, n)}; // [1, T]
        int[][] x = {Arrays.copyOf(corrupt, n)}; // [1, T]
        Logits lc = original.logits(c);
        Logits lx = original.logits(x);
        int answer = lc.argmax(0, n - 1);
        int foil = lx.argmax(0, n - 1);
        if (foil == answer) foil = secondBest(lc.row(0, n - 1), answer);
        return new PatchingSetup(c, x, answer, foil);
    }

    /** LD at the last position of {@code l} (batch 1). */
    public double logitDifference(Logits l) {
        int last = l.seq() - 1;
        return l.get(0, last, answer) - l.get(0, last, foil);
    }

    private static int secondBest(double[] row, int best) {
        int second = best == 0 ? 1 : 0;
        for (int v = 0; v < row.length; v++) if (v != best && row[v] > row[second]) second = v;
        return second;
    }
}
