package dev.editgate.gate.kind;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.core.structure.BlockBytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The edited checkpoint against the reference action, block by block and bit for bit: which blocks of which block sets
 * differ, and for each, what it should be (old block {@code source[i]}, times {@code 2^e}) and what it is (the original
 * block it equals, possibly scaled, or none).
 */
public final class ReferenceComparison {
    /** At most this many rows per block set in the "should be / is" table. */
    static final int ROWS_PER_SET = 8;
    /** Scalings tried when looking for what a wrong block is. */
    static final int MAX_SEARCH_EXPONENT = 6;

    /** One block set whose edited blocks differ from the reference's. */
    public record SetMismatch(BlockAction action, List<Integer> blocks) {}

    private ReferenceComparison() {}

    /** Every block set of the reference action where {@code edited} differs from {@code reference}. */
    public static List<SetMismatch> compare(List<BlockAction> actions, Checkpoint edited, Checkpoint reference) {
        List<SetMismatch> out = new ArrayList<>();
        for (BlockAction a : actions) {
            BlockSet s = a.set();
            Tensor e = edited.tensor(s.tensor()), r = reference.tensor(s.tensor());
            if (e.dtype() != r.dtype() || !java.util.Arrays.equals(e.shape(), r.shape())) {
                out.add(new SetMismatch(a, allBlocks(s)));
                continue;
            }
            if (e == r || e.bitEquals(r)) continue; // the common case, one pass over the bytes
            List<Integer> wrong = new ArrayList<>();
            for (int i = 0; i < s.count(); i++) {
                if (!BlockBytes.equal(e, s, i, r, s, i)) wrong.add(i);
            }
            if (!wrong.isEmpty()) out.add(new SetMismatch(a, wrong));
        }
        return out;
    }

    private static List<Integer> allBlocks(BlockSet s) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < s.count(); i++) all.add(i);
        return all;
    }

    /** The "should be / is" lines of every mismatched set (at most {@value #ROWS_PER_SET} rows per set, then a count). */
    public static List<String> table(List<SetMismatch> mismatches, Checkpoint original, Checkpoint edited, String noun) {
        List<String> lines = new ArrayList<>();
        for (SetMismatch m : mismatches) {
            BlockSet s = m.action().set();
            Tensor o = original.tensor(s.tensor()), e = edited.tensor(s.tensor());
            boolean comparable = o.dtype() == e.dtype() && java.util.Arrays.equals(o.shape(), e.shape());
            Map<ByteBuffer, Integer> index = new HashMap<>();
            if (comparable) for (int j = s.count() - 1; j >= 0; j--) index.put(BlockBytes.of(o, s, j), j);
            int shown = 0;
            for (int i : m.blocks()) {
                if (shown++ == ROWS_PER_SET) {
                    lines.add(s.label() + " (" + s.tensor() + "): ... and " + (m.blocks().size() - ROWS_PER_SET) + " more " + noun + " blocks");
                    break;
                }
                String should = "old " + noun + " " + m.action().source(i) + scaled(m.action().exponent(i));
                String is = comparable ? whatItIs(o, e, s, i, index, noun) : "a tensor of shape " + java.util.Arrays.toString(e.shape())
                        + " " + e.dtype() + " (expected " + java.util.Arrays.toString(o.shape()) + " " + o.dtype() + ")";
                lines.add(s.label() + " (" + s.tensor() + ") " + noun + " " + i + ": should be " + should + ", is " + is);
            }
        }
        return lines;
    }

    private static String scaled(int e) { return e == 0 ? "" : " × 2^" + e; }

    private static String whatItIs(Tensor o, Tensor e, BlockSet s, int i, Map<ByteBuffer, Integer> index, String noun) {
        ByteBuffer got = BlockBytes.of(e, s, i);
        Integer j = index.get(got);
        if (j != null) return "old " + noun + " " + j;
        for (int k = 1; k <= MAX_SEARCH_EXPONENT; k++) {
            for (int sign : new int[] {1, -1}) {
                if (equalsScaled(o, e, s, i, sign * k)) return "old " + noun + " " + i + scaled(sign * k);
            }
        }
        return "no original " + noun + " block (moved or scaled)";
    }

    /** Whether edited block i equals original block i times 2^k, value by value. */
    static boolean equalsScaled(Tensor o, Tensor e, BlockSet s, int i, int k) {
        int cols = o.rank() == 2 ? o.dim(1) : 1, rows = o.dim(0);
        int outer = s.axis() == 0 ? s.length() : rows, inner = s.axis() == 0 ? cols : s.length();
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                long idx = s.axis() == 0 ? (long) (s.start(i) + a) * cols + b : (long) a * cols + s.start(i) + b;
                if (Math.scalb(o.getDouble(idx), k) != e.getDouble(idx)) return false;
            }
        }
        return true;
    }
}
