package dev.editgate.gate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The prompts split into two groups of about equal forward cost, so that a functional trial runs its logits as two
 * right-padded batches on two threads. A group's cost is counted as its padded positions (every layer runs on them)
 * plus its real positions (the unembedding, the largest product, runs on those only).
 */
final class PromptGroups {
    private static final int EXHAUSTIVE_UP_TO = 16;

    private PromptGroups() {}

    /**
     * Prompt indices per group, ascending within each group: one group holding every prompt when {@code groups} is 1
     * or there is one prompt, else two non-empty groups minimising the larger cost (every split for up to 16 prompts,
     * longest-first greedy beyond).
     */
    static int[][] split(int[] lengths, int groups) {
        int n = lengths.length;
        if (groups < 2 || n < 2) return new int[][] {IntStream.range(0, n).toArray()};
        if (n <= EXHAUSTIVE_UP_TO) {
            long best = Long.MAX_VALUE;
            int bestMask = 1;
            for (int mask = 1; mask < (1 << (n - 1)); mask++) {           // prompt n-1 always in group 0: each split once
                long worse = Math.max(cost(lengths, mask, false), cost(lengths, mask, true));
                if (worse < best) {
                    best = worse;
                    bestMask = mask;
                }
            }
            return new int[][] {members(n, bestMask, false), members(n, bestMask, true)};
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(lengths[b], lengths[a]));
        List<List<Integer>> members = List.of(new ArrayList<>(), new ArrayList<>());
        long[] longest = new long[2], real = new long[2];
        for (int i : order) {                                             // longest first, each to the cheaper group
            long c0 = (members.get(0).size() + 1) * Math.max(longest[0], lengths[i]) + real[0] + lengths[i];
            long c1 = (members.get(1).size() + 1) * Math.max(longest[1], lengths[i]) + real[1] + lengths[i];
            int g = members.get(1).isEmpty() && !members.get(0).isEmpty() ? 1 : c0 <= c1 ? 0 : 1;
            members.get(g).add(i);
            longest[g] = Math.max(longest[g], lengths[i]);
            real[g] += lengths[i];
        }
        return new int[][] {sorted(members.get(0)), sorted(members.get(1))};
    }

    private static int[] sorted(List<Integer> indices) {
        return indices.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static long cost(int[] lengths, int mask, boolean inMask) {
        long longest = 0, real = 0;
        int count = 0;
        for (int i = 0; i < lengths.length; i++) {
            if (((mask >> i) & 1) == 1 != inMask) continue;
            longest = Math.max(longest, lengths[i]);
            real += lengths[i];
            count++;
        }
        return count * longest + real;
    }

    private static int[] members(int n, int mask, boolean inMask) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) if (((mask >> i) & 1) == 1 == inMask) out.add(i);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
