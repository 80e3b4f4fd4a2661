package dev.editgate.core.probes;

import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.LayerTrace;

/**
 * The seed "patched heads" by splitting the attention output after {@code dense} into head_dim-wide slices.
 * Those slices are residual-stream coordinates, not heads: {@code dense} mixes every head into every output
 * channel. A correct head permutation leaves the post-dense output unchanged (up to rounding), so every
 * slice, and every patching effect computed from slices, is the same in the original and the edited model,
 * for every π. Such "heads" cannot show whether a specialisation follows head indices or head weights.
 */
public final class SlicePatchingDiagnostic {
    public static final String EXPLANATION = "Slices of the attention output after dense are residual-stream coordinates, not heads: "
            + "dense.weight mixes all heads into every output channel, so slice k holds a bit of every head. A correct head "
            + "permutation leaves the post-dense output unchanged, so slice-patching results are identical for every permutation "
            + "and cannot separate \"follows the index\" from \"follows the weights\". Patch z (the input of dense) per head instead.";

    private SlicePatchingDiagnostic() {}

    /** Per slice of head_dim channels, the max |post-dense output (edited) − (original)| over all positions. */
    public record Result(double[] sliceMaxDifference, double tolerance, boolean invariant) {}

    public static Result run(TransformerForward original, TransformerForward edited, int[][] tokens, int layer, double tolerance) {
        return compare(original.trace(tokens, layer), edited.trace(tokens, layer), original.config().numAttentionHeads(), tolerance);
    }

    /**
     * As {@link #run}, from the original's trace of the layer (computed once) and the edited model's, e.g. both
     * {@link TransformerForward#traceFrom} the original's residual stream entering the layer.
     */
    public static Result compare(LayerTrace a, LayerTrace b, int slices, double tolerance) {
        if (a.batch() != b.batch() || a.seq() != b.seq() || a.hidden() != b.hidden()) {
            throw new IllegalArgumentException("the two traces cover different shapes: [" + a.batch() + ", " + a.seq() + ", " + a.hidden()
                    + "] vs [" + b.batch() + ", " + b.seq() + ", " + b.hidden() + "]");
        }
        int width = a.hidden() / slices;
        double[] diff = new double[slices];
        for (int i = 0; i < a.attentionOut().length; i++) {
            int slice = (i % a.hidden()) / width;
            diff[slice] = Math.max(diff[slice], Math.abs(a.attentionOut()[i] - b.attentionOut()[i]));
        }
        boolean invariant = true;
        for (double d : diff) invariant &= d <= tolerance;
        return new Result(diff, tolerance, invariant);
    }
}
