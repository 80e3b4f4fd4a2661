package dev.editgate.gate.harness;

import dev.editgate.core.tokenize.Generation;
import dev.editgate.core.tokenize.GreedyResult;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import java.util.Arrays;

/**
 * Generation: the runner's greedy continuation of generated prompts equals editgate's float64 greedy continuation,
 * allowing the behavioural stage's near-tie rule: at the first step where they diverge, editgate's top-2 logit margin
 * must be below the runner's tolerance (a rounding error may then flip the argmax, and nothing after it is compared).
 * Catches sampling left on, repetition penalties, stopping at an end-of-sequence id, and anything the baseline missed.
 */
final class GenerationProperty {
    static final String NAME = "greedy generation";

    private GenerationProperty() {}

    static String description(HarnessContext c) {
        return "the runner's " + c.settings().newTokens() + "-token greedy continuation equals editgate's float64 one "
                + "(a divergence after a near-tie excepted), on prompts of 1.." + Math.max(1, c.settings().maxLength() / 2) + " tokens";
    }

    static Gen<int[]> gen(HarnessContext c) {
        return Gens.lists(Gens.integers(0, c.vocab() - 1), 1, Math.max(1, c.settings().maxLength() / 2))
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    static void check(HarnessContext c, int[] prompt) {
        int n = c.settings().newTokens();
        int[] got = c.runner().generate(c.runner().originalFolder(), HarnessContext.one(prompt), n)[0];
        GreedyResult want = Generation.greedy(c.reference(), prompt, n);
        int step = -1;
        for (int i = 0; i < n && step < 0; i++) if (got[i] != want.generated()[i]) step = i;
        if (step < 0) return;
        double margin = want.margins()[step];
        double allowed = c.tolerance().allowedMaxAbs();
        if (margin < allowed) return; // near-tie: a rounding error may flip it
        throw new HarnessFailure(String.format("prompt %s: the runner generated %s, editgate's float64 greedy decoding %s; they diverge at step %d "
                        + "where editgate's top-2 margin %.3e is far above the tolerance %.3e (not a near-tie)",
                Arrays.toString(prompt), Arrays.toString(got), Arrays.toString(want.generated()), step, margin, allowed),
                diagnose(c, prompt, got, step));
    }

    private static String diagnose(HarnessContext c, int[] prompt, int[] got, int step) {
        // Is the runner's token even the argmax of its own logits on the same prefix? If not, it does not decode greedily.
        int[] prefix = Arrays.copyOf(prompt, prompt.length + step);
        System.arraycopy(got, 0, prefix, prompt.length, step);
        var own = c.runner().logits(c.runner().originalFolder(), HarnessContext.one(prefix), c.vocab());
        int argmax = own.argmax(0, prefix.length - 1);
        if (argmax != got[step]) {
            return "the runner's generate does not take the argmax of its own logits (step " + step + ": its logits' argmax is " + argmax
                    + ", it emitted " + got[step] + "): sampling, temperature, top-k/top-p or a repetition penalty is on. Decode greedily "
                    + "(do_sample=False, no penalties).";
        }
        return "";
    }
}
