package dev.editgate.gate.kind;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BlockAction;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.GroupedHeads;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.edit.kind.HeadScaling;
import dev.editgate.core.edit.kind.KvGroupPermutation;
import dev.editgate.core.edit.kind.MlpPermutation;
import dev.editgate.core.edit.kind.ResidualPermutation;
import dev.editgate.core.edit.kind.UpDownScaling;
import dev.editgate.core.model.ModelLayout;
import dev.editgate.core.structure.LayoutDiagnosis;
import dev.editgate.properties.Gens;
import java.util.List;

/** The built-in edit kinds (issue 12's catalogue), by CLI and protocol name. */
public final class EditKinds {
    private EditKinds() {}

    /** Today's head permutation, two-level on grouped-query attention: the default kind. */
    public static final PermutationKind HEAD_PERMUTATION = new PermutationKind("head-permutation", true, "head",
            "new head i = old head p[i]; on grouped-query attention new KV head j = old KV head p[j*g]/g",
            layout -> {}, (ck, layer) -> ck.config().numAttentionHeads(),
            (ck, layer) -> Gens.headPermutations(ck.config().numAttentionHeads(), ck.config().numKeyValueHeads()),
            (ck, layer, p) -> moves(ck, layer, p), BuiltInHeadPermutation.INSTANCE::permuteHeads,
            (ck, edited, layer, p) -> LayoutDiagnosis.diagnose(ck, edited, layer, p).findings());

    public static final PermutationKind KV_GROUP_PERMUTATION = new PermutationKind("kv-group-permutation", true, "KV group",
            "new KV head j = old KV head p[j]; query heads follow: new query head j*g+r = old query head p[j]*g+r",
            EditKinds::requireTwoKvHeads, (ck, layer) -> ck.config().numKeyValueHeads(),
            (ck, layer) -> Gens.permutations(ck.config().numKeyValueHeads()),
            (ck, layer, sigma) -> moves(ck, layer, KvGroupPermutation.queryPermutation(sigma, ck.config().groupSize())),
            KvGroupPermutation.BUILT_IN, null);

    public static final PermutationKind MLP_PERMUTATION = new PermutationKind("mlp-permutation", true, "neuron",
            "new neuron i = old neuron p[i]", layout -> {}, (ck, layer) -> ck.config().intermediateSize(),
            (ck, layer) -> SparsePermutations.of(ck.config().intermediateSize()),
            (ck, layer, p) -> MlpPermutation.actions(ck.layout(), layer, p), MlpPermutation.BUILT_IN, null);

    public static final PermutationKind RESIDUAL_PERMUTATION = new PermutationKind("residual-permutation", false, "coordinate",
            "new residual coordinate i = old residual coordinate p[i], on every tensor axis that indexes the residual stream",
            layout -> {}, (ck, layer) -> ck.config().hiddenSize(), (ck, layer) -> SparsePermutations.of(ck.config().hiddenSize()),
            (ck, layer, p) -> ResidualPermutation.actions(ck.layout(), p), ResidualPermutation.BUILT_IN, null);

    public static final ScalingKind QK_SCALING = new ScalingKind("qk-scaling", "head",
            "query head h's q rows (and bias) times 2^e[h], the k rows (and bias) of its KV head h//g times 2^-e[h]; e equal within a KV group",
            layout -> {}, ck -> ck.config().numAttentionHeads(), ck -> ck.config().groupSize(),
            (ck, layer, e) -> HeadScaling.actions(ck.layout(), layer, HeadScaling.Pair.QK, e), HeadScaling.QK_BUILT_IN);

    public static final ScalingKind VO_SCALING = new ScalingKind("vo-scaling", "head",
            "the v rows (and bias) of KV head h//g times 2^e[h], the output projection's input slice of query head h times 2^-e[h]; e equal within a KV group",
            layout -> {}, ck -> ck.config().numAttentionHeads(), ck -> ck.config().groupSize(),
            (ck, layer, e) -> HeadScaling.actions(ck.layout(), layer, HeadScaling.Pair.VO, e), HeadScaling.VO_BUILT_IN);

    public static final ScalingKind UP_DOWN_SCALING = new ScalingKind("up-down-scaling", "neuron",
            "up_proj row n (and bias) times 2^e[n], down_proj column n times 2^-e[n]; gate_proj unchanged",
            UpDownScaling::requireSwiGlu, ck -> ck.config().intermediateSize(), ck -> 1,
            (ck, layer, e) -> UpDownScaling.actions(ck.layout(), layer, e), UpDownScaling.BUILT_IN);

    /** Every built-in kind, head-permutation first. */
    public static List<EditKind<?>> all() {
        return List.of(HEAD_PERMUTATION, KV_GROUP_PERMUTATION, MLP_PERMUTATION, RESIDUAL_PERMUTATION, QK_SCALING, VO_SCALING, UP_DOWN_SCALING);
    }

    /** The kind named {@code name}; the error lists every name. */
    public static EditKind<?> named(String name) {
        String key = name.strip().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        for (EditKind<?> k : all()) if (k.name().equals(key)) return k;
        throw new IllegalArgumentException("--edit-kind '" + name + "': unknown edit kind; expected one of "
                + all().stream().map(EditKind::name).toList());
    }

    private static List<BlockAction> moves(Checkpoint ck, int layer, Permutation pi) {
        BuiltInHeadPermutation.checkArguments(ck, layer, pi);
        return GroupedHeads.moves(ck.layout().heads(layer), pi).stream().map(m -> BlockAction.move(m.set(), m.perm())).toList();
    }

    private static void requireTwoKvHeads(ModelLayout layout) {
        if (layout.config().numKeyValueHeads() < 2) {
            throw new IllegalArgumentException("kv-group-permutation needs at least 2 KV heads; this " + layout.architecture().family()
                    + " model has " + layout.config().numKeyValueHeads() + " (multi-query attention has nothing to permute)");
        }
    }
}
