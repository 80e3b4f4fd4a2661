package dev.editgate.properties;

import dev.editgate.core.edit.Permutation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Permutations of {@code n} heads (editgate's convention: new head i = old head π(i)), optionally
 * restricted. Restrictions partition the heads into <i>classes</i>; a head only ever moves to a
 * position in its own class:
 * <ul>
 *   <li>{@link #withinGroups(int) withinGroups(g)}: classes are the consecutive groups
 *       {@code 0..g-1, g..2g-1, ...} (grouped-query attention);</li>
 *   <li>{@link #parityPreserving()}: π(i) has the parity of i, i.e. even heads go to even positions
 *       and odd heads to odd positions;</li>
 *   <li>{@link #derangement()}: no fixed points, every head moves.</li>
 * </ul>
 *
 * <h2>Encoding and shrinking</h2>
 * A permutation is drawn as (1) its set of moved heads, as {@link SortedPoints} (size, then gaps),
 * and (2) for each moved position in ascending order, the index of its image among the still
 * unused moved heads of its class, excluding choices that would leave a head no place but its own.
 * Shortlex order on these choices is exactly the order <b>fewest moved heads first, then the lowest
 * moved heads, then the lexicographically smallest image list</b>, and all-zero choices give the
 * identity (or, for derangements, the smallest derangement). On top of the generic passes, this
 * generator gives the shrinker permutation-aware candidates: drop a cycle, drop a head from a cycle,
 * move a head to a lower fixed head of its class, swap two images. So a failure that needs a
 * 3-cycle shrinks to a 3-cycle such as {@code (0 1 2)}.
 */
public final class PermutationGen implements PermutationSpace {
    private final int n;
    private final int groupSize;
    private final boolean parity;
    private final boolean derangement;
    private final SpanSimplifier simplifier = value -> simplerEncodings((Permutation) value);

    private PermutationGen(int n, int groupSize, boolean parity, boolean derangement) {
        this.n = n;
        this.groupSize = groupSize;
        this.parity = parity;
        this.derangement = derangement;
        if (derangement) {
            for (int p = 0; p < n; p++) {
                if (classSize(p) < 2) {
                    throw new IllegalArgumentException("no derangement of " + n + " heads exists with " + restrictions()
                            + ": head " + p + " is alone in its class");
                }
            }
        }
    }

    static PermutationGen of(int n) {
        if (n < 1) throw new IllegalArgumentException("permutations of " + n + " heads: need at least 1 head");
        return new PermutationGen(n, n, false, false);
    }

    /** Only permutations that move heads within consecutive groups of {@code g} heads ({@code g} must divide n). */
    public PermutationGen withinGroups(int g) {
        if (g < 1 || n % g != 0) {
            throw new IllegalArgumentException("group size " + g + " must be >= 1 and divide the " + n + " heads");
        }
        return new PermutationGen(n, g, parity, derangement);
    }

    /** Only permutations with π(i) ≡ i (mod 2): even heads go to even positions and odd heads to odd positions. */
    public PermutationGen parityPreserving() {
        return new PermutationGen(n, groupSize, true, derangement);
    }

    /** Only permutations without fixed points. */
    public PermutationGen derangement() {
        return new PermutationGen(n, groupSize, parity, true);
    }

    public int heads() {
        return n;
    }

    /** True when {@code perm} has {@link #heads()} points and obeys every restriction of this generator. */
    public boolean allows(Permutation perm) {
        if (perm.size() != n) return false;
        for (int p = 0; p < n; p++) {
            if (classOf(perm.apply(p)) != classOf(p)) return false;
            if (derangement && perm.apply(p) == p) return false;
        }
        return true;
    }

    @Override
    public Permutation generate(Choices choices) {
        int start = choices.position();
        int minMoved = derangement ? n : 0;
        int[] drawn = SortedPoints.draw(choices, n, minMoved, random -> randomMovedCount(random) - minMoved);
        int[] moved = withoutLoneHeads(drawn); // a head alone in its class cannot move
        int[] image = arrange(moved, (position, candidates) -> candidates.get(choices.drawInt(candidates.size() - 1)));
        Permutation perm = Permutation.of(image);
        choices.markSpan(start, simplifier, perm);
        return perm;
    }

    /**
     * How many heads a fresh random permutation moves (before lone heads are dropped): half the time
     * as many as a uniformly random permutation moves (most heads), half the time uniform in
     * {@code 2..n}, so small permutations are common too. The identity is an edge case; it is not
     * drawn on purpose.
     */
    private int randomMovedCount(SplittableRandom random) {
        if (derangement || n < 2) return n;
        if (random.nextBoolean()) return 2 + random.nextInt(n - 1);
        int moved = 0;
        int[] shuffle = new int[n];
        for (int i = 0; i < n; i++) shuffle[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = shuffle[i];
            shuffle[i] = shuffle[j];
            shuffle[j] = t;
        }
        for (int i = 0; i < n; i++) if (shuffle[i] != i) moved++;
        return moved;
    }

    /** The choices from which {@link #generate} builds {@code perm}. */
    @Override
    public long[] encode(Permutation perm) {
        if (!allows(perm)) {
            throw new IllegalArgumentException(perm.toCycleString() + " does not satisfy " + restrictions());
        }
        int[] moved = perm.movedPoints();
        long[] points = SortedPoints.encode(moved, derangement ? n : 0);
        List<Long> indices = new ArrayList<>();
        arrange(moved, (position, candidates) -> {
            indices.add((long) candidates.indexOf(perm.apply(position)));
            return perm.apply(position);
        });
        long[] out = Arrays.copyOf(points, points.length + indices.size());
        for (int i = 0; i < indices.size(); i++) out[points.length + i] = indices.get(i);
        return out;
    }

    /** Picks the image of one moved position among its valid candidates (ascending). */
    private interface ImagePicker {
        int pick(int position, List<Integer> candidates);
    }

    /** Assigns images to the moved positions in ascending order, offering only choices that can be completed. */
    private int[] arrange(int[] moved, ImagePicker picker) {
        int[] image = new int[n];
        for (int i = 0; i < n; i++) image[i] = i;
        int classes = classCount();
        List<TreeSet<Integer>> unusedValues = new ArrayList<>();
        List<TreeSet<Integer>> openPositions = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            unusedValues.add(new TreeSet<>());
            openPositions.add(new TreeSet<>());
        }
        for (int p : moved) {
            unusedValues.get(classOf(p)).add(p);
            openPositions.get(classOf(p)).add(p);
        }
        for (int p : moved) {
            TreeSet<Integer> values = unusedValues.get(classOf(p));
            TreeSet<Integer> open = openPositions.get(classOf(p));
            open.remove(p);
            List<Integer> candidates = new ArrayList<>();
            if (open.size() == 1 && values.contains(open.first())) {
                candidates.add(open.first()); // otherwise the last open position would keep its own head
            } else {
                for (int v : values) if (v != p) candidates.add(v);
            }
            int v = picker.pick(p, candidates);
            values.remove(v);
            image[p] = v;
        }
        return image;
    }

    private int[] withoutLoneHeads(int[] points) {
        int[] perClass = new int[classCount()];
        for (int p : points) perClass[classOf(p)]++;
        return Arrays.stream(points).filter(p -> perClass[classOf(p)] >= 2).toArray();
    }

    /**
     * Candidates simpler than {@code value} in the order fewest moved heads, lowest moved heads,
     * smallest image list; each obeys the restrictions. Best first.
     */
    private List<long[]> simplerEncodings(Permutation perm) {
        Set<Permutation> candidates = new LinkedHashSet<>();
        candidates.add(perm); // its canonical encoding may be shorter than the choices it came from
        List<int[]> cycles = perm.cycles();
        for (int[] cycle : cycles) {
            candidates.add(withoutPoints(perm, cycle));
            if (cycle.length >= 3) {
                for (int x : cycle) candidates.add(withoutPoints(perm, new int[] {x}));
            }
        }
        for (int x : perm.movedPoints()) {
            for (int y = 0; y < x; y++) {
                if (perm.apply(y) == y && classOf(y) == classOf(x)) candidates.add(relabelled(perm, x, y));
            }
        }
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                int[] image = perm.toArray();
                int t = image[a];
                image[a] = image[b];
                image[b] = t;
                candidates.add(Permutation.of(image));
            }
        }
        return candidates.stream()
                .filter(this::allows)
                .sorted(Comparator.comparing(this::encode, Shrinker::shortlex))
                .map(this::encode)
                .toList();
    }

    /** {@code perm} with the points {@code drop} taken out of their cycles (they become fixed). */
    private static Permutation withoutPoints(Permutation perm, int[] drop) {
        int[] image = perm.toArray();
        for (int x : drop) {
            int predecessor = x;
            while (image[predecessor] != x) predecessor = image[predecessor];
            image[predecessor] = image[x];
            image[x] = x;
        }
        return Permutation.of(image);
    }

    /** {@code perm} with moved head {@code x} replaced by fixed head {@code y} (conjugation by (x y)). */
    private static Permutation relabelled(Permutation perm, int x, int y) {
        Permutation swap = Permutation.transposition(perm.size(), x, y);
        return swap.andThen(perm).andThen(swap);
    }

    /**
     * Edge cases, in this order and keeping those this generator allows: identity, the transposition
     * (0 1), the even/odd swap {@code [1,0,3,2,...]}, the even/odd shuffle (evens then odds,
     * {@code [0,2,4,...,1,3,5,...]}), the reverse, and the full cycle {@code (0 1 ... n-1)}.
     */
    public List<Permutation> edgeCases() {
        Set<Permutation> out = new LinkedHashSet<>();
        out.add(Permutation.identity(n));
        if (n >= 2) out.add(Permutation.transposition(n, 0, 1));
        int[] swap = new int[n];
        for (int i = 0; i < n; i++) swap[i] = (i % 2 == 0) ? (i + 1 < n ? i + 1 : i) : i - 1;
        out.add(Permutation.of(swap));
        int[] shuffle = new int[n];
        int k = 0;
        for (int i = 0; i < n; i += 2) shuffle[k++] = i;
        for (int i = 1; i < n; i += 2) shuffle[k++] = i;
        out.add(Permutation.of(shuffle));
        int[] reverse = new int[n];
        for (int i = 0; i < n; i++) reverse[i] = n - 1 - i;
        out.add(Permutation.of(reverse));
        int[] cycle = new int[n];
        for (int i = 0; i < n; i++) cycle[i] = (i + 1) % n;
        out.add(Permutation.of(cycle));
        return out.stream().filter(this::allows).toList();
    }

    /** How many permutations this generator can produce (saturates at {@link Long#MAX_VALUE}). */
    public long count() {
        long total = 1;
        int[] sizes = new int[classCount()];
        for (int p = 0; p < n; p++) sizes[classOf(p)]++;
        for (int size : sizes) {
            long ways = derangement ? derangements(size) : factorial(size);
            if (ways != 0 && total > Long.MAX_VALUE / ways) return Long.MAX_VALUE;
            total *= ways;
        }
        return total;
    }

    /**
     * Every permutation this generator can produce, simplest first (the shrink order), so the first
     * failure met in an exhaustive run is already the minimal one. Meant for small spaces ({@link #count()}).
     */
    public Stream<Permutation> all() {
        List<Permutation> out = new ArrayList<>();
        for (int k = derangement ? n : 0; k <= n; k++) {
            subsets(0, k, new int[k], 0, out);
        }
        return out.stream();
    }

    private void subsets(int from, int k, int[] chosen, int filled, List<Permutation> out) {
        if (filled == k) {
            if (withoutLoneHeads(chosen).length == k) arrangements(chosen.clone(), out);
            return;
        }
        for (int p = from; p <= n - (k - filled); p++) {
            chosen[filled] = p;
            subsets(p + 1, k, chosen, filled + 1, out);
        }
    }

    /** Every arrangement of {@code moved}: the image choices counted through like an odometer, in lexicographic order. */
    private void arrangements(int[] moved, List<Permutation> out) {
        int[] indices = new int[moved.length];
        int[] sizes = new int[moved.length];
        while (true) {
            int[] depth = {0};
            int[] image = arrange(moved, (position, candidates) -> {
                int d = depth[0]++;
                sizes[d] = candidates.size();
                return candidates.get(indices[d]);
            });
            out.add(Permutation.of(image));
            int d = moved.length - 1;
            while (d >= 0 && indices[d] + 1 >= sizes[d]) d--;
            if (d < 0) return;
            indices[d]++;
            Arrays.fill(indices, d + 1, moved.length, 0);
        }
    }

    private int classOf(int p) {
        return (p / groupSize) * (parity ? 2 : 1) + (parity ? p % 2 : 0);
    }

    private int classCount() {
        return (n / groupSize) * (parity ? 2 : 1);
    }

    private int classSize(int p) {
        int size = 0;
        for (int q = 0; q < n; q++) if (classOf(q) == classOf(p)) size++;
        return size;
    }

    private String restrictions() {
        List<String> parts = new ArrayList<>();
        if (groupSize < n) parts.add("within groups of " + groupSize);
        if (parity) parts.add("parity-preserving");
        if (derangement) parts.add("derangement");
        return parts.isEmpty() ? "no restrictions" : String.join(", ", parts);
    }

    private static long factorial(int m) {
        long f = 1;
        for (int i = 2; i <= m; i++) {
            if (f > Long.MAX_VALUE / i) return Long.MAX_VALUE;
            f *= i;
        }
        return f;
    }

    private static long derangements(int m) {
        long previous = 1, current = 0; // D(0) = 1, D(1) = 0, D(m) = (m-1)(D(m-1) + D(m-2))
        if (m == 0) return 1;
        for (int i = 2; i <= m; i++) {
            long next = (i - 1) * (current + previous);
            previous = current;
            current = next;
        }
        return current;
    }

    @Override
    public String toString() {
        return "permutations of " + n + " heads (" + restrictions() + ")";
    }
}
