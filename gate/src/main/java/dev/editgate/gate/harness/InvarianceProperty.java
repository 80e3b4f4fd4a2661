package dev.editgate.gate.harness;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.tolerance.LogitError;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.properties.Gen;
import java.nio.file.Path;
import java.util.Random;

/**
 * Invariance: the runner's logits on a correctly edited model equal its logits on the original within the tolerance
 * of its dtype, over generated parameters of the configured edit kind ({@code --edit-kind}; by default head
 * permutations of the harness layer, group-preserving under grouped-query attention, written with editgate's
 * built-in edit; another kind's edit is its reference edit). A runner that fails this while editgate's own forward is
 * invariant computes something that depends on the order or scale of blocks: e.g. GQA keys repeated with tile
 * instead of repeat_interleave.
 */
final class InvarianceProperty {
    static final String NAME = "invariance under head permutations";

    private InvarianceProperty() {}

    /** The property's name: {@link #NAME} for head permutations, else "invariance under KIND". */
    static String name(EditKind<?> kind) {
        return kind == EditKinds.HEAD_PERMUTATION ? NAME : "invariance under " + kind.name();
    }

    static String description(HarnessContext c, EditKind<?> kind) {
        if (kind == EditKinds.HEAD_PERMUTATION) {
            return "the runner's logits on the model with layer " + c.layer() + "'s heads permuted (editgate's built-in edit) equal its logits "
                    + "on the original within its tolerance (shrunk to the fewest moved heads)";
        }
        return "the runner's logits on the model edited by " + kind.name() + (kind.perLayer() ? " at layer " + c.layer() : " (whole model)")
                + " (the kind's reference edit: " + kind.convention() + ") equal its logits on the original within its tolerance "
                + "(shrunk toward the identity: fewest moved " + kind.blockNoun() + "s, smallest exponents)";
    }

    /**
     * Throws an {@link IllegalArgumentException} naming {@code --edit-kind} when {@code kind} does not apply to the
     * model, or can draw nothing but the identity at {@code layer} (then invariance would have nothing to try).
     */
    static void requireApplicable(EditKind<?> kind, Checkpoint original, int layer) {
        try {
            kind.requireApplicable(original.layout());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--edit-kind " + kind.name() + " does not apply to this model: " + e.getMessage(), e);
        }
        kind.onlyIdentity(original, layer).ifPresent(why -> {
            throw new IllegalArgumentException("--edit-kind " + kind.name() + " has nothing to try on this model: " + why);
        });
    }

    /** The kind's generator without the identity (which tells nothing). */
    static <P> Gen<P> gen(HarnessContext c, EditKind<P> kind) {
        P identity = kind.identity(c.original(), c.layer());
        return kind.generator(c.original(), c.layer()).filter(p -> !p.equals(identity));
    }

    /** Two sequences of the longest length, fixed by the seed. */
    static int[][] inputs(HarnessContext c) {
        Random r = new Random(c.settings().seed() ^ 0x1A7A1AL);
        int[][] ids = new int[2][c.settings().maxLength()];
        for (int[] row : ids) for (int t = 0; t < row.length; t++) row[t] = r.nextInt(c.vocab());
        return ids;
    }

    static <P> void check(HarnessContext c, EditKind<P> kind, int[][] ids, Logits onOriginal, P p) {
        Path model = c.editedModel(kind, p);
        Logits onEdited = c.runner().logits(model, ids, c.vocab());
        LogitError e = c.error(onOriginal, onEdited);
        if (c.tolerance().accepts(e)) return;
        if (kind == EditKinds.HEAD_PERMUTATION) {
            throw new HarnessFailure("π = " + kind.format(p) + ": the runner's logits on the permuted model differ from its logits on the original: "
                    + c.tolerance().explain(e), "");
        }
        throw new HarnessFailure(kind.format(p) + ": the runner's logits on the model edited by " + kind.name()
                + (kind.perLayer() ? " at layer " + c.layer() : "") + " differ from its logits on the original: " + c.tolerance().explain(e), "");
    }
}
