package dev.editgate.core.edit.kind;

import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.BlockActions;
import dev.editgate.core.edit.Exponents;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.model.BlockKind;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.core.model.NeuronView;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference SwiGLU up/down scaling of one layer, {@code c_n = 2^e_n}: up_proj row n (and bias) times c_n, down_proj
 * column n times 1/c_n; gate_proj stays (silu is not homogeneous, so only the linear up branch may carry a factor).
 * Offered on the Llama family only: GELU MLPs have no linear branch.
 */
public final class UpDownScaling {
    public static final KindEdit<Exponents> BUILT_IN = (ck, layer, e) -> BlockActions.apply(ck, actions(ck.layout(), layer, e));

    private UpDownScaling() {}

    public static List<BlockAction> actions(ModelLayout layout, int layer, Exponents e) {
        requireSwiGlu(layout);
        NeuronView view = layout.neurons(layer);
        if (e.size() != view.neurons()) {
            throw new IllegalArgumentException("up-down-scaling: " + e.size() + " exponents; the MLP has " + view.neurons() + " neurons");
        }
        List<BlockAction> out = new ArrayList<>();
        for (BlockSet s : view.parts()) {
            if (s.kind() == BlockKind.MLP_IN) out.add(BlockAction.scale(s, e.values()));
            else if (s.kind() == BlockKind.MLP_OUT) out.add(BlockAction.scale(s, e.inverse().values()));
        }
        return out;
    }

    public static void requireSwiGlu(ModelLayout layout) {
        String family = layout.architecture().family();
        if (!family.equals("llama")) {
            throw new IllegalArgumentException("up-down-scaling is not offered on the " + family + " family: its MLP is a GELU MLP with no"
                    + " linear branch (the factor would have to pass through the non-homogeneous activation); it needs a SwiGLU MLP (llama family)");
        }
    }
}
