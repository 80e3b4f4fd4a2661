package dev.editgate.core.probes;

import dev.editgate.core.forward.BranchedRows;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.ResidualCache;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.probes.DecimalProbe.Measurement;
import dev.editgate.core.tokenize.Generation;
import dev.editgate.core.tokenize.GreedyResult;
import dev.editgate.core.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link DecimalProbe#measure} for many models that differ from one original only from layer {@code layer} on (edits
 * of that layer), each in one forward. Per prompt, one row of {@link BranchedRows} holds every position the probe reads:
 * the prompt, shared by three branches: " 9.8", " 9.11" (whose common prefix is also the logit difference's context) and
 * the original's greedy continuation, each without its last token (nothing reads what follows it). The rows' residual
 * stream entering {@code layer} is the original's, computed once; a model then runs layers {@code layer..end} on it and
 * unembeds only the slots that predict a continuation token (the prompt's last and every branch token).
 *
 * <p>Greedy generation is teacher-forced: while the model's argmax at each step is the original's token, its own greedy
 * continuation has the same prefix and so the same argmax; if they agree at every step the model generates exactly the
 * original's continuation. Where its argmax differs (a failure, or a near-tie the rounding flipped) the model's real
 * greedy generation ({@link Generation#greedy}) is run and reported, so {@link DecimalProbe#compare}'s divergence step,
 * near-tie rule and texts are those of {@link DecimalProbe#measure}. Both paths round differently (a batch from the
 * layer vs a cached decode), so a step whose top-2 margin in the model is within that rounding (~1e-6 in fp32) may be
 * judged either way: a near-tie of the model, not of the original, which only a model far outside the tolerance has.
 */
public final class DecimalProbeBatch {
    private final int layer;
    private final List<String> prompts;
    private final int[][] promptIds;
    private final int[] first;
    private final int[] second;
    private final List<GreedyResult> originalGenerations;
    private final BranchedRows rows;                // per prompt: the prompt, then " 9.8", " 9.11" and the generation
    private final ResidualCache residuals;          // the original's, of the packed rows
    private final int[] from;                       // per row, the first unembedded slot: the prompt's last token
    private final List<Measurement> original;

    private DecimalProbeBatch(TransformerForward original, TextTokenizer tok, List<String> prompts, int newTokens, int layer) {
        this.layer = layer;
        this.prompts = List.copyOf(prompts);
        this.first = tok.encode(DecimalProbe.FIRST);
        this.second = tok.encode(DecimalProbe.SECOND);
        this.promptIds = new int[prompts.size()][];
        this.originalGenerations = new ArrayList<>();
        int[][][] branches = new int[prompts.size()][][];
        this.from = new int[prompts.size()];
        for (int i = 0; i < prompts.size(); i++) {
            int[] ids = tok.encode(prompts.get(i));
            if (ids.length == 0) throw new IllegalArgumentException("decimal probe prompt " + i + " ('" + prompts.get(i) + "') has no tokens");
            promptIds[i] = ids;
            int steps = Math.min(newTokens, original.config().maxPositionEmbeddings() - ids.length);
            GreedyResult g = Generation.greedy(original, ids, steps);
            originalGenerations.add(g);
            branches[i] = new int[][] {withoutLast(first), withoutLast(second), withoutLast(g.generated())};
            from[i] = ids.length - 1;
        }
        this.rows = new BranchedRows(promptIds, branches);
        this.residuals = original.residuals(rows);
        this.original = numbers(original.logitsOfBranchesFrom(layer, residuals, rows, from), originalGenerations);
    }

    /**
     * Measures the original: its greedy generations (cached decode, as {@link DecimalProbe#measure}) and, from one
     * padded forward, every number; keeps the original's residual stream of every sequence for {@link #measure}.
     *
     * @param layer the first layer in which the models later measured may differ from the original
     */
    public static DecimalProbeBatch prepare(TransformerForward original, TextTokenizer tok, List<String> prompts, int newTokens, int layer) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("the decimal probe needs at least one prompt");
        return new DecimalProbeBatch(original, tok, prompts, newTokens, layer);
    }

    /** The original's measurements (its real greedy generations, with their margins). */
    public List<Measurement> original() { return original; }

    /**
     * {@code model}'s measurements (a model equal to the original below the layer given to {@link #prepare}): numbers
     * from one forward from that layer, the generation teacher-forced and run for real only where it parts from the
     * original's.
     */
    public List<Measurement> measure(TransformerForward model) {
        List<Logits> logits = model.logitsOfBranchesFrom(layer, residuals, rows, from); // per prompt [1, slots from the prompt's last, V]
        List<GreedyResult> generations = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            GreedyResult o = originalGenerations.get(i);
            Logits l = logits.get(i);
            int steps = o.generated().length;
            double[] margins = new double[steps];
            boolean same = true;
            for (int j = 0; j < steps && same; j++) {
                int at = slot(i, 2, j);
                same = l.argmax(0, at) == o.generated()[j];
                margins[j] = l.topTwoMargin(0, at);
            }
            generations.add(same ? new GreedyResult(promptIds[i], o.generated(), margins) : Generation.greedy(model, promptIds[i], steps));
        }
        return numbers(logits, generations);
    }

    /**
     * Per prompt, the first step at which {@code model}'s argmax, teacher-forced on the original's greedy continuation,
     * is not the original's token (-1 when it never differs): where {@code model}'s own greedy generation parts from
     * the original's.
     */
    public int[] divergenceSteps(TransformerForward model) {
        List<Logits> logits = model.logitsOfBranchesFrom(layer, residuals, rows, from);
        int[] out = new int[prompts.size()];
        for (int i = 0; i < prompts.size(); i++) {
            int[] want = originalGenerations.get(i).generated();
            out[i] = -1;
            for (int j = 0; j < want.length && out[i] < 0; j++) if (logits.get(i).argmax(0, slot(i, 2, j)) != want[j]) out[i] = j;
        }
        return out;
    }

    /**
     * Where, among prompt i's unembedded slots, sits the position that predicts token j of branch k (0: " 9.8",
     * 1: " 9.11", 2: the generation): token 0 is predicted by the prompt's last token, token j by the branch's token j-1.
     */
    private int slot(int i, int k, int j) {
        return j == 0 ? 0 : rows.branchStart(i, k) + j - 1 - from[i];
    }

    /** Per prompt: log-probs of both continuations (teacher-forced), the logit difference at their first differing token. */
    private List<Measurement> numbers(List<Logits> logits, List<GreedyResult> generations) {
        List<Measurement> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            Logits l = logits.get(i);
            out.add(new Measurement(prompts.get(i), logProb(l, i, 0, first), logProb(l, i, 1, second), logitDifference(l, i),
                    generations.get(i)));
        }
        return out;
    }

    /** Σ log p(continuation token j | prompt, tokens before j) of branch k, teacher-forced. */
    private double logProb(Logits l, int i, int k, int[] continuation) {
        double sum = 0;
        for (int j = 0; j < continuation.length; j++) sum += DecimalProbe.logSoftmax(l.row(0, slot(i, k, j)), continuation[j]);
        return sum;
    }

    /** logit(first_j) − logit(second_j) at their first differing token j, read where prompt + first[0..j) ends. */
    private double logitDifference(Logits l, int i) {
        int j = 0;
        while (j < Math.min(first.length, second.length) && first[j] == second[j]) j++;
        if (j == first.length || j == second.length) return 0; // one continuation is a prefix of the other
        int at = slot(i, 0, j);
        return l.get(0, at, first[j]) - l.get(0, at, second[j]);
    }

    /** Every continuation token but the last (nothing reads the prediction that follows it). */
    private static int[] withoutLast(int[] continuation) {
        return Arrays.copyOf(continuation, Math.max(0, continuation.length - 1));
    }
}
