package dev.editgate.core.edit.kind;

import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.BlockActions;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.model.BlockKind;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.core.model.TensorRole;
import dev.editgate.core.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference residual-stream permutation of the whole model: <b>new coordinate i = old coordinate p[i]</b> on every
 * tensor axis that indexes the residual stream. Exact because LayerNorm and RMSNorm use only the mean and the variance
 * of the residual vector, which a permutation keeps. Which axis is residual comes from the adapter's tensor table
 * (torch Linear {@code [out, in]} or Conv1D {@code [in, out]}); attention-internal axes, MLP neurons and buffers stay.
 */
public final class ResidualPermutation {
    public static final KindEdit<Permutation> BUILT_IN = (ck, layer, p) -> BlockActions.apply(ck, actions(ck.layout(), p));

    private ResidualPermutation() {}

    /** One residual axis of one tensor; {@code reads}: the weight reads the residual (its input axis), else it writes or stores it. */
    public record ResidualAxis(TensorSpec spec, BlockSet set, boolean reads) {}

    public static List<BlockAction> actions(ModelLayout layout, Permutation p) {
        int d = layout.config().hiddenSize();
        if (p.size() != d) {
            throw new IllegalArgumentException("residual-permutation: the permutation has " + p.size() + " entries; the residual stream has "
                    + d + " coordinates (hidden_size)");
        }
        return axes(layout).stream().map(a -> BlockAction.move(a.set(), p.toArray())).toList();
    }

    /** Every residual axis of the model, in tensor-table order (a tied unembedding is the embedding, listed once). */
    public static List<ResidualAxis> axes(ModelLayout layout) {
        int d = layout.config().hiddenSize();
        List<ResidualAxis> out = new ArrayList<>();
        for (TensorSpec s : layout.tensorTable()) {
            int axis;
            boolean reads = false;
            switch (s.role()) {
                case EMBED, POSITION_EMBED, UNEMBED -> axis = 1;
                case LN1_WEIGHT, LN1_BIAS, LN2_WEIGHT, LN2_BIAS, FINAL_NORM_WEIGHT, FINAL_NORM_BIAS, O_BIAS, MLP_DOWN_BIAS -> axis = 0;
                case QKV_WEIGHT, Q_WEIGHT, K_WEIGHT, V_WEIGHT, MLP_UP_WEIGHT, MLP_GATE_WEIGHT -> {
                    axis = s.inOut() ? 0 : 1;
                    reads = true;
                }
                case O_WEIGHT, MLP_DOWN_WEIGHT -> axis = s.inOut() ? 1 : 0;
                default -> axis = -1;
            }
            if (axis < 0) continue;
            if (s.shape()[axis] != d) {
                throw new IllegalStateException(s.name() + " " + java.util.Arrays.toString(s.shape()) + ": axis " + axis
                        + " should be the residual axis of length " + d);
            }
            String label = s.role().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + (s.role().perLayer() ? " " + s.layer() : "");
            out.add(new ResidualAxis(s, BlockSet.strided(BlockKind.RESIDUAL, s.shape().length == 1, label, s.name(), axis, 1, d, 0, 1), reads));
        }
        return out;
    }

    /** Whether {@code role} stores a per-model vector or matrix that only carries residual coordinates (norms, embeddings). */
    public static boolean isNormOrEmbedding(TensorRole role) {
        return switch (role) {
            case EMBED, POSITION_EMBED, UNEMBED, LN1_WEIGHT, LN1_BIAS, LN2_WEIGHT, LN2_BIAS, FINAL_NORM_WEIGHT, FINAL_NORM_BIAS -> true;
            default -> false;
        };
    }
}
