package dev.editgate.core.edit.kind;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.BlockActions;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.core.model.NeuronView;
import java.util.List;

/**
 * The reference MLP neuron permutation of one layer: <b>new neuron i = old neuron p[i]</b>. Every per-neuron block
 * of the adapter's {@link NeuronView} moves (GPT-NeoX dense_h_to_4h rows and bias, dense_4h_to_h columns; Llama
 * gate_proj/up_proj rows and biases, down_proj columns; GPT-2 c_fc columns and bias, c_proj rows); the output bias
 * and everything else stay.
 */
public final class MlpPermutation {
    public static final KindEdit<Permutation> BUILT_IN = (ck, layer, p) -> BlockActions.apply(ck, actions(ck.layout(), layer, p));

    private MlpPermutation() {}

    public static List<BlockAction> actions(ModelLayout layout, int layer, Permutation p) {
        NeuronView view = layout.neurons(layer);
        requireSize(p, view.neurons());
        return view.parts().stream().map(s -> BlockAction.move(s, p.toArray())).toList();
    }

    static void requireSize(Permutation p, int neurons) {
        if (p.size() != neurons) {
            throw new IllegalArgumentException("mlp-permutation: the permutation has " + p.size() + " entries; the MLP has " + neurons
                    + " neurons (intermediate_size)");
        }
    }

    /** The per-neuron block sets of {@code layer}. */
    public static List<BlockSet> sets(Checkpoint ck, int layer) { return ck.layout().neurons(layer).parts(); }
}
