package dev.editgate.core.probes;

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
 * of that layer), each in one forward. Per prompt, three sequences hold every position the probe reads: prompt + " 9.8",
 * prompt + " 9.11" (whose common prefix is also the logit difference's context) and prompt + the original's greedy
 * continuation, each without its last token (nothing reads what follows it). All of them form one right-padded batch
 * whose residual stream entering {@code layer} is the original's, computed once; a model then runs layers
 * {@code layer..end} on it and unembeds only the positions that predict a continuation token.
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
    private final ResidualCache residuals;          // [3 * prompts, longest, hidden], the original's
    private final int[] from;                       // per sequence, the first unembedded position: the prompt's last
    private final List<Measurement> original;

    private DecimalProbeBatch(TransformerForward original, TextTokenizer tok, List<String> prompts, int newTokens, int layer) {
        this.layer = layer;
        this.prompts = List.copyOf(prompts);
        this.first = tok.encode(DecimalProbe.FIRST);
        this.second = tok.encode(DecimalProbe.SECOND);
        this.promptIds = new int[prompts.size()][];
        this.originalGenerations = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int[] ids = tok.encode(prompts.get(i));
            if (ids.length == 0) throw new IllegalArgumentException("decimal probe prompt " + i + " ('" + prompts.get(i) + "') has no tokens");
            promptIds[i] = ids;
            int steps = Math.min(newTokens, original.config().maxPositionEmbeddings() - ids.length);
            GreedyResult g = Generation.greedy(original, ids, steps);
            originalGenerations.add(g);
            sequences.add(withoutLast(ids, first));
            sequences.add(withoutLast(ids, second));
            sequences.add(withoutLast(ids, g.generated()));
        }
        this.from = new int[sequences.size()];
        for (int s = 0; s < sequences.size(); s++) from[s] = promptIds[s / 3].length - 1;
        this.residuals = original.residuals(sequences.toArray(int[][]::new));
        this.original = numbers(original, originalGenerations);
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
        List<Logits> logits = model.logitsOfEachFrom(layer, residuals, null, from);
        List<GreedyResult> generations = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            GreedyResult o = originalGenerations.get(i);
            Logits g = logits.get(3 * i + 2);                        // [1, len, V]: position j predicts generated token j
            int steps = o.generated().length;
            double[] margins = new double[steps];
            boolean same = true;
            for (int j = 0; j < steps && same; j++) {
                same = g.argmax(0, j) == o.generated()[j];
                margins[j] = g.topTwoMargin(0, j);
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
        List<Logits> logits = model.logitsOfEachFrom(layer, residuals, null, from);
        int[] out = new int[prompts.size()];
        for (int i = 0; i < prompts.size(); i++) {
            int[] want = originalGenerations.get(i).generated();
            Logits g = logits.get(3 * i + 2);
            out[i] = -1;
            for (int j = 0; j < want.length && out[i] < 0; j++) if (g.argmax(0, j) != want[j]) out[i] = j;
        }
        return out;
    }

    private List<Measurement> numbers(TransformerForward model, List<GreedyResult> generations) {
        return numbers(model.logitsOfEachFrom(layer, residuals, null, from), generations);
    }

    /** Per prompt: log-probs of both continuations (teacher-forced), the logit difference at their first differing token. */
    private List<Measurement> numbers(List<Logits> logits, List<GreedyResult> generations) {
        List<Measurement> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            Logits a = logits.get(3 * i);                            // [1, |first|, V]: position j predicts first[j]
            Logits b = logits.get(3 * i + 1);                        // [1, |second|, V]
            out.add(new Measurement(prompts.get(i), logProb(a, first), logProb(b, second), logitDifference(a), generations.get(i)));
        }
        return out;
    }

    private static double logProb(Logits l, int[] continuation) {
        double sum = 0;
        for (int k = 0; k < continuation.length; k++) sum += DecimalProbe.logSoftmax(l.row(0, k), continuation[k]);
        return sum;
    }

    /** logit(first_k) − logit(second_k) at their first differing token k, read where prompt + first[0..k) ends. */
    private double logitDifference(Logits a) {
        int k = 0;
        while (k < Math.min(first.length, second.length) && first[k] == second[k]) k++;
        if (k == first.length || k == second.length) return 0; // one continuation is a prefix of the other
        return a.get(0, k, first[k]) - a.get(0, k, second[k]);
    }

    /** {@code prompt} followed by every continuation token but the last ({@code prompt} alone when there is none). */
    private static int[] withoutLast(int[] prompt, int[] continuation) {
        return DecimalProbe.concat(prompt, Arrays.copyOf(continuation, Math.max(0, continuation.length - 1)));
    }
}
