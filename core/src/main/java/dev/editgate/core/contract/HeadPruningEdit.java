package dev.editgate.core.contract;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.model.TensorRole;
import java.util.Map;

/**
 * The reference pruning edit: head {@code head} of layer {@code layer} is removed by zeroing its output
 * projection's input columns ({@code [d, heads·hd]} view: columns {@code head·hd .. (head+1)·hd - 1}; GPT-2's
 * Conv1D rows). The output projection's bias stays. ΔW has rank at most head_dim.
 *
 * <p>Parameters: {@code layer}, {@code head}.
 */
public final class HeadPruningEdit implements ContractEdit {
    public static final String NAME = "head-pruning";

    @Override
    public Checkpoint apply(Checkpoint original, EditRequest request) {
        int layer = request.intParam("layer");
        int head = request.intParam("head");
        int heads = original.config().numAttentionHeads();
        if (head < 0 || head >= heads) {
            throw new IllegalArgumentException("edit '" + request.edit() + "': head " + head + " is out of range 0.." + (heads - 1));
        }
        WeightMatrix o = WeightMatrix.of(original, TensorRole.O_WEIGHT, layer);  // [d, heads·hd]
        int hd = original.config().headDim();
        double[] delta = new double[o.values().length];
        for (int r = 0; r < o.rows(); r++) {
            for (int c = head * hd; c < (head + 1) * hd; c++) delta[r * o.cols() + c] = -o.get(r, c);
        }
        return original.withTensors(Map.of(o.name(), o.plus(delta).toTensor(original.tensor(o.name()))));
    }
}
