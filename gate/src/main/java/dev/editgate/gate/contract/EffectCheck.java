package dev.editgate.gate.contract;

import dev.editgate.core.contract.Clause;
import dev.editgate.core.contract.ClauseResult;
import dev.editgate.core.contract.EffectBound;
import dev.editgate.core.contract.TargetPrompt;
import dev.editgate.core.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The intended-effect and generalisation clauses: on each target prompt, the target's top-1 rank or log-prob rise. */
public final class EffectCheck {
    private EffectCheck() {}

    public static ClauseResult judge(Clause clause, List<TargetPrompt> prompts, EffectBound bound, ModelPair pair, TextTokenizer tok) {
        if (prompts.isEmpty()) return ClauseResult.skipped(clause, "the contract lists no " + (clause == Clause.EFFECT ? "effect" : "generalisation") + " prompts");
        List<String> details = new ArrayList<>();
        int failed = 0;
        for (TargetPrompt t : prompts) {
            int[] ids = promptIds(t, tok);
            int target = targetId(t, tok);
            double[][] lp = pair.lastLogProbs(ids);
            int top = argmax(lp[1]);
            double rise = lp[1][target] - lp[0][target];
            boolean ok = bound.mode() == EffectBound.Mode.TOP1 ? top == target : rise >= bound.delta();
            if (!ok) failed++;
            details.add(String.format(Locale.ROOT, "%s %s -> target %d: top-1 %d -> %d, log p(target) %.3f -> %.3f (rise %.3f)",
                    ok ? "ok  " : "FAIL", t, target, argmax(lp[0]), top, lp[0][target], lp[1][target], rise));
        }
        String what = prompts.size() + " prompt" + (prompts.size() == 1 ? "" : "s") + ", " + bound;
        return failed == 0 ? ClauseResult.passed(clause, what, details)
                : ClauseResult.failed(clause, failed + " of " + what + " not reached", details);
    }

    public static int[] promptIds(TargetPrompt t, TextTokenizer tok) {
        int[] ids = tok.encode(t.prompt());
        if (ids.length == 0) throw new IllegalArgumentException("prompt '" + t.prompt() + "' has no tokens");
        return ids;
    }

    /** {@code #ID}, or the target text, which must be exactly one token. */
    public static int targetId(TargetPrompt t, TextTokenizer tok) {
        if (t.target().matches("#\\d+")) return Integer.parseInt(t.target().substring(1));
        int[] ids = tok.encode(t.target());
        if (ids.length != 1) {
            throw new IllegalArgumentException("target '" + t.target() + "' of prompt '" + t.prompt() + "' is " + ids.length
                    + " tokens " + java.util.Arrays.toString(ids) + "; a target must be one token (or #ID)");
        }
        return ids[0];
    }

    static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
