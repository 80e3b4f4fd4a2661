package dev.editgate.gate.harness;

import dev.editgate.core.forward.Logits;
import dev.editgate.core.model.PositionKind;
import dev.editgate.core.tolerance.CalibratedTolerance;
import dev.editgate.core.tolerance.LogitComparison;
import dev.editgate.core.tolerance.LogitError;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Gens;
import java.util.Arrays;

/**
 * Baseline: the runner's logits on the original model agree with editgate's float64 reference within the tolerance of
 * the dtype the runner declares, for generated token sequences; a failure shrinks to the shortest sequence that shows
 * the gap. Recognised patterns: a BOS token prepended, positions counted from 1, a missing causal mask, half-precision
 * arithmetic under a float32/float64 declaration.
 */
final class BaselineProperty {
    static final String NAME = "baseline logits";

    private BaselineProperty() {}

    static String description(HarnessContext c) {
        return "the runner's logits on the original equal editgate's float64 logits within the " + c.runner().hello().dtype()
                + " tolerance, on token sequences of 1.." + c.settings().maxLength() + " tokens (shrunk to the shortest that fails)";
    }

    static Gen<int[]> gen(HarnessContext c) {
        return Gens.lists(Gens.integers(0, c.vocab() - 1), 1, c.settings().maxLength())
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    static void check(HarnessContext c, int[] ids) {
        Logits runner = c.runner().logits(c.runner().originalFolder(), HarnessContext.one(ids), c.vocab());
        Logits reference = c.reference().logits(HarnessContext.one(ids));
        LogitError e = c.error(reference, runner);
        if (c.tolerance().accepts(e)) return;
        throw new HarnessFailure("tokens " + Arrays.toString(ids) + ": " + c.tolerance().explain(e) + firstDiffering(c, reference, runner),
                diagnose(c, ids, reference, runner, e));
    }

    /** The first position whose logits are out of tolerance, as a hint. */
    private static String firstDiffering(HarnessContext c, Logits reference, Logits runner) {
        int p = firstBadPosition(c, reference, runner);
        return p < 0 ? "" : " First position out of tolerance: " + p + (p == 0 ? " (the very first token: not an attention-pattern question)" : "") + ".";
    }

    static int firstBadPosition(HarnessContext c, Logits reference, Logits runner) {
        for (int t = 0; t < reference.seq(); t++) if (!c.close(position(reference, t), position(runner, t))) return t;
        return -1;
    }

    /** Position {@code t} of sequence 0 as a [1, 1, V] Logits. */
    static Logits position(Logits l, int t) {
        return new Logits(1, 1, l.vocab(), l.row(0, t));
    }

    static String diagnose(HarnessContext c, int[] ids, Logits reference, Logits runner, LogitError e) {
        for (int bos : c.prefixTokens()) {
            int[] with = new int[ids.length + 1];
            with[0] = bos;
            System.arraycopy(ids, 0, with, 1, ids.length);
            Logits prefixed = c.reference().logits(HarnessContext.one(with));
            double[] rows = Arrays.copyOfRange(prefixed.values(), prefixed.vocab(), prefixed.values().length);
            if (c.close(new Logits(1, ids.length, c.vocab(), rows), runner)) {
                return "the runner prepends token " + bos + " (a BOS token) to the ids it is given: its logits equal editgate's on ["
                        + bos + "] + ids. Run exactly the ids you are given (HF tokenizers with add_bos_token, TransformerLens "
                        + "prepend_bos=True, or a hand-written [bos] + ids add one).";
            }
        }
        int maxPos = c.original().config().maxPositionEmbeddings();
        if (ids.length + 1 <= maxPos && c.close(c.reference().logitsAtOffset(HarnessContext.one(ids), 1), runner)) {
            return "positions are off by one: the runner's logits equal editgate's with positions 1.." + ids.length
                    + " instead of 0.." + (ids.length - 1) + (c.original().config().positions() == PositionKind.LEARNED
                    ? " (learned position embeddings read one row too far)" : "") + ". Positions start at 0.";
        }
        if (ids.length >= 2) {
            Logits first = c.runner().logits(c.runner().originalFolder(), HarnessContext.one(new int[] {ids[0]}), c.vocab());
            if (!c.close(first, position(runner, 0))) {
                return "position 0's logits change when later tokens follow (the runner's logits for [" + ids[0] + "] and for "
                        + Arrays.toString(ids) + " differ at position 0): attention is not causal. A missing or wrong causal mask "
                        + "lets a position see later tokens.";
            }
        }
        String declared = c.runner().hello().dtype();
        if (declared.equals("float32") || declared.equals("float64")) {
            CalibratedTolerance half = c.halfTolerance();
            LogitError again = LogitComparison.compare(reference, runner, half.dtype());
            if (half.accepts(again)) {
                return String.format("the runner's error (max |Δ| %.3e) is that of half-precision arithmetic (within the float16 tolerance "
                        + "%.3e) while it declares %s: it computes in float16 (e.g. torch_dtype=\"auto\" or .half() on a float16 "
                        + "checkpoint, or a float16 softmax). Load and compute in the dtype you declare.", again.maxAbs(), half.allowedMaxAbs(), declared);
            }
        }
        return hint(c, firstBadPosition(c, reference, runner));
    }

    /** Where nothing specific is recognised: what the first differing position rules in or out. */
    private static String hint(HarnessContext c, int first) {
        var config = c.original().config();
        int kv = config.numKeyValueHeads();
        if (first == 0 && kv > 1 && kv < config.numAttentionHeads()) {
            return "likely the grouped-query KV repeat: the first position already differs, where attention only copies each query head's "
                    + "value vector, and this model shares " + kv + " KV heads among " + config.numAttentionHeads()
                    + " query heads. Query head h reads KV head h // " + config.groupSize() + " (repeat_interleave, HF repeat_kv), not h % " + kv + " (tile).";
        }
        if (first > 0 && config.positions() == PositionKind.ROTARY) {
            return "likely the rotary embedding: position 0 (rotation by angle 0) agrees and position " + first + " does not. HF rotates "
                    + "the two halves of the first " + config.rotaryNdims() + " dims of each head (rotate_half), not adjacent pairs "
                    + "(Meta's original layout), with inv_freq = 1/base^(arange(0, rd, 2)/rd).";
        }
        return "";
    }
}
