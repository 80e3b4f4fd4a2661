package dev.editgate.gate.harness;

import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.tolerance.LogitError;
import java.nio.file.Path;
import java.util.Random;

/**
 * Invariance: the runner's logits on a correctly permuted model (editgate's built-in edit of the harness layer) equal
 * its logits on the original within the tolerance of its dtype, over generated head permutations (group-preserving
 * under grouped-query attention). A runner that fails this while editgate's own forward is invariant computes
 * something that depends on head order: e.g. GQA keys repeated with tile instead of repeat_interleave.
 */
final class InvarianceProperty {
    static final String NAME = "invariance under head permutations";

    private InvarianceProperty() {}

    static String description(HarnessContext c) {
        return "the runner's logits on the model with layer " + c.layer() + "'s heads permuted (editgate's built-in edit) equal its logits "
                + "on the original within its tolerance (shrunk to the fewest moved heads)";
    }

    /** Two sequences of the longest length, fixed by the seed. */
    static int[][] inputs(HarnessContext c) {
        Random r = new Random(c.settings().seed() ^ 0x1A7A1AL);
        int[][] ids = new int[2][c.settings().maxLength()];
        for (int[] row : ids) for (int t = 0; t < row.length; t++) row[t] = r.nextInt(c.vocab());
        return ids;
    }

    static void check(HarnessContext c, int[][] ids, Logits onOriginal, Permutation perm) {
        Path model = c.permutedModel(perm);
        Logits onPermuted = c.runner().logits(model, ids, c.vocab());
        LogitError e = c.error(onOriginal, onPermuted);
        if (c.tolerance().accepts(e)) return;
        throw new HarnessFailure("π = " + perm.toCycleString() + ": the runner's logits on the permuted model differ from its logits on the original: "
                + c.tolerance().explain(e), "");
    }
}
