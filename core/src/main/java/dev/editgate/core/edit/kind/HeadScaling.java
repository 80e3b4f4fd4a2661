package dev.editgate.core.edit.kind;

import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.BlockActions;
import dev.editgate.core.edit.Exponents;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.model.BlockKind;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.model.HeadView;
import dev.editgate.core.model.ModelLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference per-head power-of-two scalings of one layer, with {@code c_h = 2^e_h} for query head h and exponents
 * equal within each KV group. qk-scaling: q blocks (and q bias) of head h times c_h, k blocks (and k bias) of KV head j
 * times 1/c of its group; exact since (c q)·(k / c) = q·k and rotary is linear. vo-scaling: v blocks of KV head j times
 * c of its group, the output projection's input slice of head h times 1/c_h; the output bias stays.
 */
public final class HeadScaling {
    /** Which pair of blocks a head scaling acts on. */
    public enum Pair {
        QK(BlockKind.Q, BlockKind.K), VO(BlockKind.V, BlockKind.O);

        /** The block kind multiplied by c, and the one multiplied by 1/c. */
        public final BlockKind up, down;

        Pair(BlockKind up, BlockKind down) {
            this.up = up;
            this.down = down;
        }
    }

    public static final KindEdit<Exponents> QK_BUILT_IN = (ck, layer, e) -> BlockActions.apply(ck, actions(ck.layout(), layer, Pair.QK, e));
    public static final KindEdit<Exponents> VO_BUILT_IN = (ck, layer, e) -> BlockActions.apply(ck, actions(ck.layout(), layer, Pair.VO, e));

    private HeadScaling() {}

    public static List<BlockAction> actions(ModelLayout layout, int layer, Pair pair, Exponents e) {
        HeadView view = layout.heads(layer);
        requireGroupEqual(view, e, pair == Pair.QK ? "qk-scaling" : "vo-scaling");
        List<BlockAction> out = new ArrayList<>();
        for (BlockSet s : view.parts()) {
            if (s.kind() == pair.up) out.add(BlockAction.scale(s, perBlock(view, s, e, 1)));
            else if (s.kind() == pair.down) out.add(BlockAction.scale(s, perBlock(view, s, e, -1)));
        }
        return out;
    }

    /** Exponents per block of {@code s}: query-head sets take e_h, KV-head sets the exponent of their group, times {@code sign}. */
    public static int[] perBlock(HeadView view, BlockSet s, Exponents e, int sign) {
        int[] out = new int[s.count()];
        boolean kv = s.kind().index() == BlockKind.Index.KV_HEAD;
        for (int i = 0; i < out.length; i++) out[i] = sign * e.get(kv ? i * view.groupSize() : i);
        return out;
    }

    /** The exponents have one entry per query head and are equal within each KV group; else an error naming the group. */
    public static void requireGroupEqual(HeadView view, Exponents e, String kind) {
        if (e.size() != view.heads()) {
            throw new IllegalArgumentException(kind + ": " + e.size() + " exponents; the model has " + view.heads() + " heads per layer");
        }
        int g = view.groupSize();
        for (int h = 0; h < e.size(); h++) {
            if (e.get(h) != e.get(h / g * g)) {
                throw new IllegalArgumentException(kind + ": exponents " + e.toListString() + " differ inside KV group " + h / g + " (query heads "
                        + (h / g * g) + ".." + (h / g * g + g - 1) + " share one KV head, so they must share one factor)");
            }
        }
    }
}
