package dev.editgate.core.edit;

import dev.editgate.core.model.BlockKind;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.model.HeadView;
import java.util.ArrayList;
import java.util.List;

/**
 * Head permutations under grouped-query attention. Query head h reads KV head {@code h / g} ({@code g = heads / kv_heads});
 * a permutation π of query heads is a symmetry only when it keeps every group together: new KV head j = old
 * KV head σ(j), and new query head i = old query head π(i) with π(i) in old group σ(i / g). Multi-head attention
 * is the case g = 1, where σ = π.
 */
public final class GroupedHeads {
    private GroupedHeads() {}

    /**
     * σ, the permutation of KV heads that π implies; an error naming the group and the heads when π splits a group.
     */
    public static Permutation kvPermutation(Permutation queryPerm, int groupSize) {
        int heads = queryPerm.size();
        if (groupSize <= 0 || heads % groupSize != 0) {
            throw new IllegalArgumentException("group size " + groupSize + " does not divide " + heads + " heads");
        }
        if (groupSize == 1) return queryPerm;
        int groups = heads / groupSize;
        int[] sigma = new int[groups];
        for (int j = 0; j < groups; j++) {
            int first = j * groupSize;
            sigma[j] = queryPerm.apply(first) / groupSize;
            for (int i = first; i < first + groupSize; i++) {
                int src = queryPerm.apply(i);
                if (src / groupSize != sigma[j]) {
                    throw new IllegalArgumentException("permutation " + queryPerm.toCycleString() + " splits a KV group: new query heads "
                            + first + ".." + (first + groupSize - 1) + " (KV group " + j + ") would come from old heads " + queryPerm.apply(first)
                            + " (group " + sigma[j] + ") and " + src + " (group " + src / groupSize + "); with " + groups + " KV heads of "
                            + groupSize + " query heads each, a head permutation must keep every group's query heads together");
                }
            }
        }
        return Permutation.of(sigma);
    }

    /** Whether π keeps every group of {@code groupSize} query heads together. */
    public static boolean keepsGroups(Permutation queryPerm, int groupSize) {
        try {
            kvPermutation(queryPerm, groupSize);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The query-head permutation made of a KV-group permutation σ and one permutation inside each group. */
    public static Permutation compose(Permutation groupPerm, List<Permutation> withinGroups) {
        int groups = groupPerm.size();
        if (withinGroups.size() != groups) throw new IllegalArgumentException(groups + " groups but " + withinGroups.size() + " in-group permutations");
        int g = withinGroups.get(0).size();
        int[] image = new int[groups * g];
        for (int j = 0; j < groups; j++) {
            Permutation inner = withinGroups.get(j);
            for (int r = 0; r < g; r++) image[j * g + r] = groupPerm.apply(j) * g + inner.apply(r);
        }
        return Permutation.of(image);
    }

    /**
     * A uniformly random head permutation of {@code heads} query heads that keeps every group of {@code groupSize}
     * together: a random permutation of the groups, then a random one inside each group (for benchmarks and tests;
     * property tests draw through the property engine's generators, which shrink).
     */
    public static Permutation random(int heads, int groupSize, java.util.Random random) {
        Permutation groups = Permutation.random(heads / groupSize, random);
        List<Permutation> within = new ArrayList<>();
        for (int j = 0; j < heads / groupSize; j++) within.add(Permutation.random(groupSize, random));
        return compose(groups, within);
    }

    /** The block moves of the head permutation π on {@code view}: query-head sets by π, KV-head sets by σ. */
    public static List<BlockMove> moves(HeadView view, Permutation queryPerm) {
        Permutation sigma = kvPermutation(queryPerm, view.groupSize());
        List<BlockMove> out = new ArrayList<>();
        for (BlockSet s : view.parts()) {
            Permutation p = s.kind().index() == BlockKind.Index.KV_HEAD ? sigma : queryPerm;
            out.add(new BlockMove(s, p.toArray()));
        }
        return out;
    }
}
