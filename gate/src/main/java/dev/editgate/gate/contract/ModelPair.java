package dev.editgate.gate.contract;

import dev.editgate.core.contract.NextTokenDivergence;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.TransformerForward;

/** The original and the edited model side by side (not owned: the caller closes both). */
public record ModelPair(TransformerForward original, TransformerForward edited) {

    /** Divergence at every position of {@code ids}. */
    public NextTokenDivergence[] divergence(int[] ids) {
        Logits a = original.logits(new int[][] {ids});
        Logits b = edited.logits(new int[][] {ids});
        return NextTokenDivergence.all(a, b);
    }

    /** Log-softmax of the last position's logits, original then edited. */
    public double[][] lastLogProbs(int[] ids) {
        int t = ids.length - 1;
        return new double[][] {
                NextTokenDivergence.logSoftmax(original.logits(new int[][] {ids}).row(0, t)),
                NextTokenDivergence.logSoftmax(edited.logits(new int[][] {ids}).row(0, t))};
    }
}
