package dev.editgate.reports;

/**
 * Inline SVG of a head permutation: old heads on top, new heads below, an arrow from old head π(i)
 * down to new head i. Moved heads and their arrows are highlighted; fixed heads are grey.
 */
final class PermutationDiagram {

    private static final int BOX = 34;
    private static final int GAP = 10;
    private static final int MARGIN_X = 86;
    private static final int TOP_Y = 30;
    private static final int BOTTOM_Y = 126;

    private PermutationDiagram() {}

    static String svg(int[] p, String caption, String id) {
        int n = p.length;
        int width = MARGIN_X + n * (BOX + GAP) + 10;
        int height = BOTTOM_Y + BOX + 12;
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"perm\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(width)
         .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
         .append("\"><title>").append(Html.esc(caption)).append("</title>")
         .append("<defs><marker id=\"").append(id).append("-ah\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">")
         .append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#c0392b\"/></marker>")
         .append("<marker id=\"").append(id).append("-ahg\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\">")
         .append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#b5b5b5\"/></marker></defs>");
        s.append(label(8, 14, "arrow: old head π(i) → new head i; moved heads in red"))
         .append(label(8, TOP_Y + BOX / 2 + 4, "old head")).append(label(8, BOTTOM_Y + BOX / 2 + 4, "new head"));
        // fixed arrows first so highlighted ones draw on top
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i++) {
                boolean moved = p[i] != i;
                if (moved != (pass == 1)) continue;
                double x1 = cx(p[i]);
                double x2 = cx(i);
                s.append("<line x1=\"").append(x1).append("\" y1=\"").append(TOP_Y + BOX).append("\" x2=\"").append(x2)
                 .append("\" y2=\"").append(BOTTOM_Y - 2).append("\" stroke=\"").append(moved ? "#c0392b" : "#b5b5b5")
                 .append("\" stroke-width=\"").append(moved ? 2.2 : 1.2).append("\" marker-end=\"url(#").append(id)
                 .append(moved ? "-ah" : "-ahg").append(")\"/>");
            }
        }
        boolean[] movedOld = new boolean[n];
        for (int i = 0; i < n; i++) if (p[i] != i) movedOld[p[i]] = true;
        for (int j = 0; j < n; j++) s.append(box(j, TOP_Y, movedOld[j]));
        for (int i = 0; i < n; i++) s.append(box(i, BOTTOM_Y, p[i] != i));
        return s.append("</svg>").toString();
    }

    private static double cx(int head) {
        return MARGIN_X + head * (BOX + GAP) + BOX / 2.0;
    }

    private static String box(int head, int y, boolean moved) {
        int x = MARGIN_X + head * (BOX + GAP);
        return "<rect x=\"" + x + "\" y=\"" + y + "\" width=\"" + BOX + "\" height=\"" + BOX + "\" rx=\"5\" fill=\""
                + (moved ? "#fdebd0" : "#f4f4f4") + "\" stroke=\"" + (moved ? "#c0392b" : "#9a9a9a") + "\" stroke-width=\""
                + (moved ? 2 : 1) + "\"/><text x=\"" + (x + BOX / 2.0) + "\" y=\"" + (y + BOX / 2 + 5)
                + "\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"" + (moved ? "bold" : "normal") + "\" fill=\""
                + (moved ? "#7b241c" : "#555") + "\">" + head + "</text>";
    }

    private static String label(int x, int y, String text) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" font-size=\"12\" fill=\"#555\">" + text + "</text>";
    }
}
