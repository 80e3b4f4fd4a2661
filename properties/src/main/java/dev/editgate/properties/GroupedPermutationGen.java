package dev.editgate.properties;

import dev.editgate.core.edit.GroupedHeads;
import dev.editgate.core.edit.Permutation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Head permutations of grouped-query attention that keep every KV group's query heads together, drawn on two
 * levels: a permutation σ of the {@code kv} groups, then one permutation inside each group of {@code g} heads
 * (new query head {@code j*g + r} = old head {@code σ(j)*g + inner_j(r)}; {@link GroupedHeads#compose}). The choices
 * are σ's, then each group's from the <i>last</i> group down to group 0, so that in the shortlex order the shrinker
 * follows, moving heads of a lower group is simpler than moving those of a higher one: shrinking reaches the identity
 * and prefers the fewest moved groups, then the fewest moved heads, then the lowest heads. A failure that needs heads to
 * cross groups shrinks to a swap of two groups, one that needs heads to move inside a group to one swap there. With one head per group this is {@link PermutationGen} itself.
 */
public final class GroupedPermutationGen implements PermutationSpace {
    private final int kv;
    private final int g;
    private final PermutationGen groups;
    private final PermutationGen within;

    private GroupedPermutationGen(int kv, int g) {
        this.kv = kv;
        this.g = g;
        this.groups = PermutationGen.of(kv);
        this.within = PermutationGen.of(g);
    }

    /** Permutations of {@code heads} query heads in {@code kvHeads} groups; the plain generator when there is one head per group. */
    public static PermutationSpace of(int heads, int kvHeads) {
        if (kvHeads < 1 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(kvHeads + " KV heads do not divide " + heads + " query heads");
        }
        if (kvHeads == heads) return PermutationGen.of(heads);
        return new GroupedPermutationGen(kvHeads, heads / kvHeads);
    }

    @Override
    public int heads() { return kv * g; }

    @Override
    public Permutation generate(Choices choices) {
        Permutation sigma = groups.generate(choices);
        Permutation[] inner = new Permutation[kv];
        for (int j = kv - 1; j >= 0; j--) inner[j] = within.generate(choices);     // last group first: see the class comment
        return GroupedHeads.compose(sigma, List.of(inner));
    }

    @Override
    public boolean allows(Permutation perm) {
        return perm.size() == heads() && GroupedHeads.keepsGroups(perm, g);
    }

    @Override
    public long[] encode(Permutation perm) {
        Permutation sigma = GroupedHeads.kvPermutation(perm, g);
        LongStream.Builder out = LongStream.builder();
        for (long c : groups.encode(sigma)) out.add(c);
        List<Permutation> inner = inner(perm, sigma);
        for (int j = kv - 1; j >= 0; j--) for (long c : within.encode(inner.get(j))) out.add(c);
        return out.build().toArray();
    }

    private List<Permutation> inner(Permutation perm, Permutation sigma) {
        List<Permutation> out = new ArrayList<>();
        for (int j = 0; j < kv; j++) {
            int[] image = new int[g];
            for (int r = 0; r < g; r++) image[r] = perm.apply(j * g + r) - sigma.apply(j) * g;
            out.add(Permutation.of(image));
        }
        return out;
    }

    @Override
    public long count() {
        long total = groups.count();
        for (int j = 0; j < kv; j++) {
            if (total > Long.MAX_VALUE / within.count()) return Long.MAX_VALUE;
            total *= within.count();
        }
        return total;
    }

    /** Every allowed permutation, fewest moved heads first. */
    @Override
    public Stream<Permutation> all() {
        List<Permutation> out = new ArrayList<>();
        List<Permutation> inners = within.all().toList();
        groups.all().forEach(sigma -> product(sigma, inners, new ArrayList<>(), out));
        out.sort(java.util.Comparator.comparingInt(Permutation::movedCount));
        return out.stream();
    }

    private void product(Permutation sigma, List<Permutation> inners, List<Permutation> chosen, List<Permutation> out) {
        if (chosen.size() == kv) {
            out.add(GroupedHeads.compose(sigma, chosen));
            return;
        }
        for (Permutation p : inners) {
            chosen.add(p);
            product(sigma, inners, chosen, out);
            chosen.remove(chosen.size() - 1);
        }
    }

    /** Identity, one swap inside group 0, a swap of groups 0 and 1, the full reverse, and the cycle of groups. */
    @Override
    public List<Permutation> edgeCases() {
        Set<Permutation> out = new LinkedHashSet<>();
        List<Permutation> ids = new ArrayList<>();
        for (int j = 0; j < kv; j++) ids.add(Permutation.identity(g));
        out.add(Permutation.identity(heads()));
        if (g >= 2) {
            List<Permutation> first = new ArrayList<>(ids);
            first.set(0, Permutation.transposition(g, 0, 1));
            out.add(GroupedHeads.compose(Permutation.identity(kv), first));
        }
        if (kv >= 2) out.add(GroupedHeads.compose(Permutation.transposition(kv, 0, 1), ids));
        int[] reverse = new int[heads()];
        for (int i = 0; i < reverse.length; i++) reverse[i] = reverse.length - 1 - i;
        out.add(Permutation.of(reverse));
        int[] cycle = new int[kv];
        for (int j = 0; j < kv; j++) cycle[j] = (j + 1) % kv;
        out.add(GroupedHeads.compose(Permutation.of(cycle), ids));
        return out.stream().filter(this::allows).toList();
    }

    @Override
    public String toString() {
        return "permutations of " + heads() + " heads keeping " + kv + " KV groups of " + g + " together";
    }
}
