package dev.editgate.core.probes;

import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.ResidualCache;
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

    /**
     * The residual stream of {clean, corrupted} in {@code model} (batch 2, every layer), computed once: the probes that
     * take it run an edited model only from its edited layer on, since every layer below is the original's.
     */
    public ResidualCache residuals(TransformerForward model) {
        return model.residuals(new int[][] {clean[0], corrupt[0]});
    }

    /** Fails unless {@code prompts} holds this pair's clean and corrupted prompts, in that order (see {@link #residuals}). */
    void requireResidualsOfThisPair(ResidualCache prompts) {
        if (prompts.batch() != 2 || !Arrays.equals(prompts.tokens()[0], clean[0]) || !Arrays.equals(prompts.tokens()[1], corrupt[0])) {
            throw new IllegalArgumentException("the residual cache must hold this setup's clean and corrupted prompts (PatchingSetup.residuals),"
                    + " got " + prompts.batch() + " sequences of lengths " + Arrays.toString(prompts.lengths()));
        }
    }

    /** LD at the last position of {@code l} (batch 1). */
    public double logitDifference(Logits l) {
        int last = l.seq() - 1;
        return l.get(0, last, answer) - l.get(0, last, foil);
    }

    /** LD of one row of last-position logits {@code [V]}. */
    public double logitDifference(double[] lastRow) {
        return lastRow[answer] - lastRow[foil];
    }

    private static int secondBest(double[] row, int best) {
        int second = best == 0 ? 1 : 0;
        for (int v = 0; v < row.length; v++) if (v != best && row[v] > row[second]) second = v;
        return second;
    }
}
