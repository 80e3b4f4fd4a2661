package dev.editgate.core.probes;

import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.tokenize.Generation;
import dev.editgate.core.tokenize.GreedyResult;
import dev.editgate.core.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The seed's "9.8 vs 9.11" probe, done differentially: for each prompt, the teacher-forced log-probabilities
 * of the continuations " 9.8" and " 9.11", the logit difference between them at their first differing token,
 * and greedy continuations, from the original and the edited model. The edited model passes when every
 * number agrees within the tolerance and the generations are identical, or diverge only at a step where the
 * original's top-2 logit margin is below the tolerance (a near-tie, reported, not a failure).
 */
public final class DecimalProbe {
    public static final List<String> SEED_PROMPTS = List.of("Which is bigger: 9.8 or 9.11?", "Q: Which is bigger: 9.8 or 9.11?\nA:");
    public static final String FIRST = " 9.8";
    public static final String SECOND = " 9.11";
    public static final int NEW_TOKENS = 20;

    private DecimalProbe() {}

    /** One prompt's numbers from both models. */
    public record PromptResult(String prompt, double logProbFirstOriginal, double logProbFirstEdited,
                               double logProbSecondOriginal, double logProbSecondEdited,
                               double logitDiffOriginal, double logitDiffEdited,
                               String generationOriginal, String generationEdited,
                               int divergenceStep, boolean nearTie, double maxNumberDifference, boolean passed) {}

    public record Result(List<PromptResult> prompts, double tolerance) {
        public Result {
            prompts = List.copyOf(prompts);
        }

        public boolean passed() {
            return prompts.stream().allMatch(PromptResult::passed);
        }
    }

    public static Result run(TransformerForward original, TransformerForward edited, TextTokenizer tok, List<String> prompts, double tolerance) {
        return run(original, edited, tok, prompts, tolerance, NEW_TOKENS);
    }

    public static Result run(TransformerForward original, TransformerForward edited, TextTokenizer tok, List<String> prompts,
                             double tolerance, int newTokens) {
        return compare(measure(original, tok, prompts, newTokens), measure(edited, tok, prompts, newTokens), tok, tolerance);
    }

    /** One model's numbers on one prompt (measure the original once, then compare each edited model to it). */
    public record Measurement(String prompt, double logProbFirst, double logProbSecond, double logitDiff, GreedyResult generation) {}

    public static List<Measurement> measure(TransformerForward model, TextTokenizer tok, List<String> prompts, int newTokens) {
        int[] first = tok.encode(FIRST);
        int[] second = tok.encode(SECOND);
        List<Measurement> out = new ArrayList<>();
        for (String prompt : prompts) {
            int[] ids = tok.encode(prompt);
            int steps = Math.min(newTokens, model.config().maxPositionEmbeddings() - ids.length);
            out.add(new Measurement(prompt, continuationLogProb(model, ids, first), continuationLogProb(model, ids, second),
                    logitDifference(model, ids, first, second), Generation.greedy(model, ids, steps)));
        }
        return out;
    }

    public static Result compare(List<Measurement> original, List<Measurement> edited, TextTokenizer tok, double tolerance) {
        List<PromptResult> out = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            Measurement o = original.get(i);
            Measurement e = edited.get(i);
            int diverge = firstDifference(o.generation().generated(), e.generation().generated());
            boolean nearTie = diverge >= 0 && o.generation().margins()[diverge] < tolerance;
            double maxDiff = Math.max(Math.max(Math.abs(o.logProbFirst() - e.logProbFirst()), Math.abs(o.logProbSecond() - e.logProbSecond())),
                    Math.abs(o.logitDiff() - e.logitDiff()));
            boolean passed = maxDiff <= tolerance && (diverge < 0 || nearTie);
            out.add(new PromptResult(o.prompt(), o.logProbFirst(), e.logProbFirst(), o.logProbSecond(), e.logProbSecond(),
                    o.logitDiff(), e.logitDiff(), tok.decode(o.generation().generated()), tok.decode(e.generation().generated()),
                    diverge, nearTie, maxDiff, passed));
        }
        return new Result(out, tolerance);
    }

    /** Σ log p(continuation token k | prompt, continuation tokens before k), teacher-forced in one forward. */
    static double continuationLogProb(TransformerForward model, int[] prompt, int[] continuation) {
        int[] all = concat(prompt, continuation);
        Logits l = model.logits(new int[][] {all}); // [1, T, V]
        double sum = 0;
        for (int k = 0; k < continuation.length; k++) {
            int pos = prompt.length + k - 1; // the position that predicts continuation token k
            sum += logSoftmax(l.row(0, pos), continuation[k]);
        }
        return sum;
    }

    /** logit(a_k) − logit(b_k) at the first token k where the two continuations differ (teacher-forced on their common prefix). */
    static double logitDifference(TransformerForward model, int[] prompt, int[] a, int[] b) {
        int k = 0;
        while (k < Math.min(a.length, b.length) && a[k] == b[k]) k++;
        if (k == a.length || k == b.length) return 0; // one continuation is a prefix of the other: no differing token
        int[] context = concat(prompt, Arrays.copyOf(a, k));
        Logits l = model.logits(new int[][] {context}); // [1, T, V]
        return l.get(0, context.length - 1, a[k]) - l.get(0, context.length - 1, b[k]);
    }

    static double logSoftmax(double[] row, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : row) max = Math.max(max, x);
        double sum = 0;
        for (double x : row) sum += Math.exp(x - max);
        return row[token] - max - Math.log(sum);
    }

    static int firstDifference(int[] a, int[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) if (a[i] != b[i]) return i;
        return a.length == b.length ? -1 : Math.min(a.length, b.length);
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
