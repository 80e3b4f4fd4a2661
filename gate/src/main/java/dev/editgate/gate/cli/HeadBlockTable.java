package dev.editgate.gate.cli;

import dev.editgate.core.structure.HeadBlockCorrespondence;

/** Plain-text table of a {@link HeadBlockCorrespondence}: one row per edited head. */
final class HeadBlockTable {
    private HeadBlockTable() {}

    static String render(HeadBlockCorrespondence hb) {
        StringBuilder sb = new StringBuilder(String.format("  %-5s %-14s %-14s %-14s %-6s%n", "head", "q", "k", "v", "dense"));
        int[] w = hb.qkvWeightSource();
        int[] d = hb.denseSource();
        for (int h = 0; h < hb.heads(); h++) {
            sb.append(String.format("  %-5d %-14s %-14s %-14s %-6s%n", h,
                    cell(w[h * 3]), cell(w[h * 3 + 1]), cell(w[h * 3 + 2]), d[h] < 0 ? "-" : "h" + d[h]));
        }
        return sb.toString();
    }

    private static String cell(int src) {
        return src < 0 ? "-" : "h" + src / 3 + "." + HeadBlockCorrespondence.COMPONENTS[src % 3];
    }
}
