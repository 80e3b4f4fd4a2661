package dev.editgate.core.edit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable permutation of {@code 0..n-1}, stored as its image list {@code [π(0), π(1), ...]}.
 *
 * <p>Convention used everywhere in editgate when a permutation acts on heads: <b>new head i is old
 * head π(i)</b> ("gather"). So {@code [1,0,2]} swaps heads 0 and 1, and applying π then σ to a
 * model equals applying {@code π.andThen(σ)} = {@code π ∘ σ}, whose image is {@code i -> π(σ(i))}.
 *
 * <p>Printed and parsed as an image list {@code [1,0,2]} or in cycle notation {@code (0 1)(2 5 3)}
 * (cycle notation needs the size from context: {@link #parse(String, int)}).
 */
public final class Permutation {
    private final int[] image;

    private Permutation(int[] image) {
        this.image = image;
    }

    /** Validates and copies an image list: every value in {@code 0..n-1} exactly once. */
    public static Permutation of(int... image) {
        int n = image.length;
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
            int v = image[i];
            if (v < 0 || v >= n) {
                throw new IllegalArgumentException("permutation " + Arrays.toString(image) + ": value " + v
                        + " at position " + i + " is out of range 0.." + (n - 1));
            }
            if (seen[v]) {
                throw new IllegalArgumentException("permutation " + Arrays.toString(image) + ": value " + v
                        + " appears more than once (each of 0.." + (n - 1) + " must appear exactly once)");
            }
            seen[v] = true;
        }
        return new Permutation(image.clone());
    }

    public static Permutation identity(int n) {
        int[] image = new int[n];
        for (int i = 0; i < n; i++) image[i] = i;
        return new Permutation(image);
    }

    /** A uniformly random permutation of {@code n} points (Fisher–Yates), deterministic in {@code random}'s state. */
    public static Permutation random(int n, java.util.Random random) {
        int[] image = identity(n).image;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = image[i];
            image[i] = image[j];
            image[j] = t;
        }
        return new Permutation(image);
    }

    /** The permutation of {@code n} points that swaps {@code a} and {@code b}. */
    public static Permutation transposition(int n, int a, int b) {
        int[] image = identity(n).image;
        image[a] = b;
        image[b] = a;
        return of(image);
    }

    /** Builds a permutation of {@code n} points from disjoint cycles, each cycle {@code (a b c)} meaning a→b→c→a. */
    public static Permutation fromCycles(int n, List<int[]> cycles) {
        int[] image = identity(n).image;
        boolean[] used = new boolean[n];
        for (int[] cycle : cycles) {
            for (int k = 0; k < cycle.length; k++) {
                int from = cycle[k];
                int to = cycle[(k + 1) % cycle.length];
                if (from < 0 || from >= n) {
                    throw new IllegalArgumentException("cycle " + Arrays.toString(cycle) + ": point " + from
                            + " is out of range 0.." + (n - 1));
                }
                if (used[from]) {
                    throw new IllegalArgumentException("cycles are not disjoint: point " + from + " appears twice");
                }
                used[from] = true;
                image[from] = to;
            }
        }
        return of(image);
    }

    /**
     * Parses {@code [1,0,2]} (an image list; its length must be {@code n} when {@code n >= 0})
     * or cycle notation {@code (0 1)(2 5 3)} / {@code ()} for the identity (needs {@code n >= 0}).
     */
    public static Permutation parse(String text, int n) {
        String s = text.strip();
        if (s.startsWith("[")) {
            if (!s.endsWith("]")) {
                throw new IllegalArgumentException("permutation '" + text + "': an image list must end with ']'");
            }
            String body = s.substring(1, s.length() - 1).strip();
            int[] image = body.isEmpty() ? new int[0] : Arrays.stream(body.split("[,\\s]+"))
                    .mapToInt(t -> parseInt(t, text)).toArray();
            if (n >= 0 && image.length != n) {
                throw new IllegalArgumentException("permutation '" + text + "' has " + image.length
                        + " entries; expected " + n + " (one per head)");
            }
            return of(image);
        }
        if (s.startsWith("(")) {
            if (n < 0) {
                throw new IllegalArgumentException("permutation '" + text + "': cycle notation needs the number of points");
            }
            List<int[]> cycles = new ArrayList<>();
            int pos = 0;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (Character.isWhitespace(c)) { pos++; continue; }
                if (c != '(') {
                    throw new IllegalArgumentException("permutation '" + text + "': expected '(' at character " + pos);
                }
                int close = s.indexOf(')', pos);
                if (close < 0) {
                    throw new IllegalArgumentException("permutation '" + text + "': unclosed '(' at character " + pos);
                }
                String body = s.substring(pos + 1, close).strip();
                if (!body.isEmpty()) {
                    cycles.add(Arrays.stream(body.split("[,\\s]+")).mapToInt(t -> parseInt(t, text)).toArray());
                }
                pos = close + 1;
            }
            return fromCycles(n, cycles);
        }
        throw new IllegalArgumentException("permutation '" + text
                + "': expected an image list like [1,0,2,3] or cycles like (0 1)(2 3)");
    }

    private static int parseInt(String token, String text) {
        try {
            return Integer.parseInt(token.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("permutation '" + text + "': '" + token + "' is not an integer");
        }
    }

    public int size() { return image.length; }

    /** π(i): for a head permutation, the old head that becomes new head i. */
    public int apply(int i) { return image[i]; }

    public int[] toArray() { return image.clone(); }

    public Permutation inverse() {
        int[] inv = new int[image.length];
        for (int i = 0; i < image.length; i++) inv[image[i]] = i;
        return new Permutation(inv);
    }

    /**
     * The permutation equivalent to applying this one to a model and then {@code next}: its image is
     * {@code i -> this(next(i))} (gather convention: new head i of the second edit reads head next(i)
     * of the first result, which is old head this(next(i))).
     */
    public Permutation andThen(Permutation next) {
        requireSameSize(next);
        int[] out = new int[image.length];
        for (int i = 0; i < image.length; i++) out[i] = image[next.image[i]];
        return new Permutation(out);
    }

    /** Plain function composition {@code (this ∘ other)(i) = this(other(i))}; equals {@code andThen(other)}. */
    public Permutation compose(Permutation other) {
        return andThen(other);
    }

    private void requireSameSize(Permutation other) {
        if (other.size() != size()) {
            throw new IllegalArgumentException("cannot compose permutations of " + size() + " and " + other.size() + " points");
        }
    }

    public boolean isIdentity() {
        for (int i = 0; i < image.length; i++) if (image[i] != i) return false;
        return true;
    }

    /** Points i with π(i) != i, ascending. */
    public int[] movedPoints() {
        return java.util.stream.IntStream.range(0, image.length).filter(i -> image[i] != i).toArray();
    }

    public int movedCount() { return movedPoints().length; }

    /** Disjoint cycles of length >= 2, each starting at its smallest point, ordered by that point. */
    public List<int[]> cycles() {
        List<int[]> out = new ArrayList<>();
        boolean[] seen = new boolean[image.length];
        for (int start = 0; start < image.length; start++) {
            if (seen[start] || image[start] == start) continue;
            List<Integer> cycle = new ArrayList<>();
            int p = start;
            while (!seen[p]) {
                seen[p] = true;
                cycle.add(p);
                p = image[p];
            }
            out.add(cycle.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    /** Cycle notation, e.g. {@code (0 1)(2 5 3)}; the identity prints as {@code ()}. */
    public String toCycleString() {
        List<int[]> cycles = cycles();
        if (cycles.isEmpty()) return "()";
        StringBuilder sb = new StringBuilder();
        for (int[] c : cycles) {
            sb.append('(');
            for (int k = 0; k < c.length; k++) {
                if (k > 0) sb.append(' ');
                sb.append(c[k]);
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /** Image list, e.g. {@code [1,0,2]}. */
    public String toImageString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < image.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(image[i]);
        }
        return sb.append(']').toString();
    }

    /** Sign of the permutation: +1 for even, -1 for odd. */
    public int sign() {
        int transpositions = 0;
        for (int[] c : cycles()) transpositions += c.length - 1;
        return transpositions % 2 == 0 ? 1 : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permutation p && Arrays.equals(image, p.image);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(image); }

    @Override
    public String toString() { return toImageString() + " = " + toCycleString(); }
}
