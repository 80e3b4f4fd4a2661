package dev.editgate.core.forward;

import java.util.Arrays;

/**
 * Sequences that share a prefix, packed so the prefix runs once: row b holds {@code prefixes[b]} followed by each of
 * its branches {@code branches[b][0], branches[b][1], ...}. A branch token continues the prefix (positions
 * {@code P_b, P_b + 1, ...}, P_b the prefix length) and attends to the prefix and to its own branch's earlier tokens
 * only, so every position computes what it computes in the plain sequence prefix + branch (a tree attention mask).
 * {@link TransformerForward#residuals(BranchedRows)} and {@link TransformerForward#logitsOfBranchesFrom(int, ResidualCache,
 * BranchedRows, int[])} run such rows; the packed rows are right-padded to the longest, as any padded batch.
 *
 * @param prefixes per row, the shared prefix (at least one token)
 * @param branches per row, its branches (each may be empty)
 */
public record BranchedRows(int[][] prefixes, int[][][] branches) {

    public BranchedRows {
        if (prefixes.length == 0 || prefixes.length != branches.length) {
            throw new IllegalArgumentException("branched rows need one prefix and one list of branches per row, got "
                    + prefixes.length + " prefixes and " + branches.length + " branch lists");
        }
        for (int b = 0; b < prefixes.length; b++) {
            if (prefixes[b].length == 0) throw new IllegalArgumentException("row " + b + " has an empty prefix");
        }
        prefixes = Arrays.stream(prefixes).map(int[]::clone).toArray(int[][]::new);
        branches = Arrays.stream(branches).map(r -> Arrays.stream(r).map(int[]::clone).toArray(int[][]::new)).toArray(int[][][]::new);
    }

    public int rows() { return prefixes.length; }

    /** Where branch {@code k} of row {@code b} starts in the packed row. */
    public int branchStart(int b, int k) {
        int at = prefixes[b].length;
        for (int i = 0; i < k; i++) at += branches[b][i].length;
        return at;
    }

    /** Each packed row: prefix, then every branch in order {@code [rows][P_b + Σ branch lengths]}. */
    public int[][] tokens() {
        int[][] out = new int[prefixes.length][];
        for (int b = 0; b < prefixes.length; b++) {
            int[] row = Arrays.copyOf(prefixes[b], branchStart(b, branches[b].length));
            for (int k = 0; k < branches[b].length; k++) System.arraycopy(branches[b][k], 0, row, branchStart(b, k), branches[b][k].length);
            out[b] = row;
        }
        return out;
    }

    /** Per packed row and slot, the token's position in its own sequence prefix + branch. */
    public int[][] positions() {
        int[][] out = new int[prefixes.length][];
        for (int b = 0; b < prefixes.length; b++) {
            int p = prefixes[b].length;
            int[] pos = new int[branchStart(b, branches[b].length)];
            for (int t = 0; t < p; t++) pos[t] = t;
            for (int k = 0; k < branches[b].length; k++) {
                for (int j = 0; j < branches[b][k].length; j++) pos[branchStart(b, k) + j] = p + j;
            }
            out[b] = pos;
        }
        return out;
    }

    /**
     * Per packed row and slot, which sequence it belongs to: -1 for the prefix (seen by every branch), k for branch k.
     * Slot {@code q} sees slot {@code k <= q} when {@code k} is in the prefix or in {@code q}'s branch.
     */
    public int[][] branchOfSlot() {
        int[][] out = new int[prefixes.length][];
        for (int b = 0; b < prefixes.length; b++) {
            int[] of = new int[branchStart(b, branches[b].length)];
            Arrays.fill(of, 0, prefixes[b].length, -1);
            for (int k = 0; k < branches[b].length; k++) Arrays.fill(of, branchStart(b, k), branchStart(b, k) + branches[b][k].length, k);
            out[b] = of;
        }
        return out;
    }
}
