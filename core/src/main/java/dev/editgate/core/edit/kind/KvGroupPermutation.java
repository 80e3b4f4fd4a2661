package dev.editgate.core.edit.kind;

import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.core.edit.Permutation;

/**
 * The reference KV-group permutation of one layer: <b>new KV head j = old KV head σ[j]</b>, each group's query heads
 * following in order, {@code π[j*g + r] = σ[j]*g + r}; it is the head permutation by π (same tensors, same blocks).
 */
public final class KvGroupPermutation {
    public static final KindEdit<Permutation> BUILT_IN =
            (ck, layer, sigma) -> BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, layer, queryPermutation(sigma, ck.config().groupSize()));

    private KvGroupPermutation() {}

    /** π induced by σ on groups of {@code groupSize} query heads. */
    public static Permutation queryPermutation(Permutation sigma, int groupSize) {
        int[] pi = new int[sigma.size() * groupSize];
        for (int j = 0; j < sigma.size(); j++) {
            for (int r = 0; r < groupSize; r++) pi[j * groupSize + r] = sigma.apply(j) * groupSize + r;
        }
        return Permutation.of(pi);
    }
}
