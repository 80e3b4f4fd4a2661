package dev.editgate.reports;

import dev.editgate.reports.model.HeadNorms;
import dev.editgate.reports.model.Heatmap;
import dev.editgate.reports.model.LogitErrors;
import dev.editgate.reports.model.Spectrum;

import java.util.Locale;

/**
 * Hand-written inline SVG plots: small, dependency-free, and identical in every browser.
 * Every plot has a title, labelled axes and a legend; "original" is blue, "edited" orange throughout.
 */
final class PlotSvg {

    static final String ORIGINAL = "#2e6da4";
    static final String EDITED = "#e67e22";
    static final String TOLERANCE = "#c0392b";

    private static final int W = 760;
    private static final int H = 330;
    private static final int L = 70;   // left margin (y tick labels)
    private static final int R = 20;
    private static final int T = 56;   // top margin (title, legend row)
    private static final int B = 50;   // bottom margin (x ticks + axis label)

    private PlotSvg() {}

    // ---------------------------------------------------------------- logit errors

    /** Histogram of log10 |Δ| for baseline and edited runs, with the tolerance as a vertical line. */
    static String logitErrorHistogram(LogitErrors e) {
        double[] base = positive(e.baselineErrors());
        double[] edit = positive(e.editedErrors());
        if (base.length == 0 && edit.length == 0) return empty("Logit error vs float64", "no error samples recorded");
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] a : new double[][] {base, edit}) {
            for (double v : a) { lo = Math.min(lo, Math.log10(v)); hi = Math.max(hi, Math.log10(v)); }
        }
        if (e.tolerance() > 0) { lo = Math.min(lo, Math.log10(e.tolerance())); hi = Math.max(hi, Math.log10(e.tolerance())); }
        lo = Math.floor(lo);
        hi = Math.max(Math.ceil(hi), lo + 1);
        int bins = 30;
        int[] hb = histogram(base, lo, hi, bins);
        int[] he = histogram(edit, lo, hi, bins);
        double maxFrac = 0;
        for (int i = 0; i < bins; i++) {
            maxFrac = Math.max(maxFrac, frac(hb[i], base.length));
            maxFrac = Math.max(maxFrac, frac(he[i], edit.length));
        }
        maxFrac = niceCeil(maxFrac);
        Frame f = new Frame("Logit error |Δ| vs float64 per position (" + Format.text(e.mode()) + ")",
                "|Δ logit| (log scale)", "share of positions");
        StringBuilder s = f.open();
        // y grid and ticks (fractions)
        for (int k = 0; k <= 4; k++) {
            double v = maxFrac * k / 4;
            f.hTick(s, f.y(v / maxFrac), percent(v));
        }
        for (int d = (int) lo; d <= (int) hi; d++) f.vTick(s, f.x((d - lo) / (hi - lo)), "1e" + d);
        double bw = (double) f.pw / bins;
        for (int[] h : new int[][] {hb, he}) {
            boolean isBase = h == hb;
            int n = isBase ? base.length : edit.length;
            for (int i = 0; i < bins; i++) {
                if (h[i] == 0) continue;
                double y = f.y(frac(h[i], n) / maxFrac);
                double x = L + i * bw + (isBase ? 1 : bw / 2);
                s.append(rect(x, y, bw / 2 - 1, T + f.ph - y, isBase ? ORIGINAL : EDITED, 0.9));
            }
        }
        if (e.tolerance() > 0) {
            double x = f.x((Math.log10(e.tolerance()) - lo) / (hi - lo));
            s.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(T).append("\" x2=\"").append(fmt(x))
             .append("\" y2=\"").append(T + f.ph).append("\" stroke=\"").append(TOLERANCE)
             .append("\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>");
            s.append(text(x - 4, T + 14, "tolerance " + Format.number(e.tolerance()), 11, "end", TOLERANCE));
        }
        f.legend(s, new String[] {"baseline: unedited " + Format.text(e.mode()) + " vs fp64 (n=" + base.length + ")",
                        "edited vs fp64 (n=" + edit.length + ")", "tolerance"},
                new String[] {ORIGINAL, EDITED, TOLERANCE});
        return f.close(s);
    }

    // ---------------------------------------------------------------- head norms

    /** Grouped bars: per block, the original and the edited Frobenius norm. */
    static String headNorms(HeadNorms h) {
        int n = Math.min(h.blockLabels().length, Math.min(h.original().length, h.edited().length));
        if (n == 0) return empty("Per-head block norms: " + h.tensor(), "no blocks");
        double max = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, Math.max(h.original()[i], h.edited()[i]));
        max = max > 0 && Double.isFinite(max) ? niceCeil(max) : 1;
        Frame f = new Frame("Per-head block norms: " + h.tensor(), "head block", "Frobenius norm");
        StringBuilder s = f.open();
        for (int k = 0; k <= 4; k++) f.hTick(s, f.y(k / 4.0), Format.number(max * k / 4));
        double gw = (double) f.pw / n;
        double bw = Math.min(18, gw * 0.38);
        for (int i = 0; i < n; i++) {
            double cx = L + gw * (i + 0.5);
            double yo = f.y(clamp01(h.original()[i] / max));
            double ye = f.y(clamp01(h.edited()[i] / max));
            boolean changed = !close(h.original()[i], h.edited()[i]);
            s.append(rect(cx - bw - 1, yo, bw, T + f.ph - yo, ORIGINAL, 0.9));
            s.append(rect(cx + 1, ye, bw, T + f.ph - ye, EDITED, 0.9));
            s.append(text(cx, T + f.ph + 16, h.blockLabels()[i], 11, "middle", changed ? "#7b241c" : "#333"));
        }
        f.legend(s, new String[] {"original", "edited"}, new String[] {ORIGINAL, EDITED});
        return f.close(s);
    }

    // ---------------------------------------------------------------- spectra

    /** Singular values by index on a log y axis; original solid, edited dashed on top. */
    static String spectrum(Spectrum sp) {
        double[] o = positive(sp.original());
        double[] e = positive(sp.edited());
        int n = Math.max(sp.original().length, sp.edited().length);
        if (o.length == 0 && e.length == 0) return empty("Singular values: " + sp.tensor(), "no singular values");
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] a : new double[][] {o, e}) for (double v : a) { lo = Math.min(lo, Math.log10(v)); hi = Math.max(hi, Math.log10(v)); }
        lo = Math.floor(lo);
        hi = Math.max(Math.ceil(hi), lo + 1);
        Frame f = new Frame("Singular values: " + sp.tensor(), "index (descending σ)", "σ (log scale)");
        StringBuilder s = f.open();
        for (int d = (int) lo; d <= (int) hi; d++) f.hTick(s, f.y((d - lo) / (hi - lo)), "1e" + d);
        int step = niceStep(n);
        for (int i = 0; i < n; i += step) f.vTick(s, f.x(n <= 1 ? 0 : (double) i / (n - 1)), Integer.toString(i));
        s.append(polyline(f, sp.original(), n, lo, hi, ORIGINAL, 5, null).replace("<polyline", "<polyline stroke-opacity=\"0.45\""));
        s.append(polyline(f, sp.edited(), n, lo, hi, EDITED, 1.8, "6 4"));
        f.legend(s, new String[] {"original (cond " + Format.number(sp.conditionOriginal()) + ")",
                "edited, dashed (cond " + Format.number(sp.conditionEdited()) + ")"}, new String[] {ORIGINAL, EDITED});
        return f.close(s);
    }

    private static String polyline(Frame f, double[] v, int n, double lo, double hi, String colour, double width, String dash) {
        StringBuilder s = new StringBuilder("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"")
                .append(width).append('"');
        if (dash != null) s.append(" stroke-dasharray=\"").append(dash).append('"');
        s.append(" points=\"");
        int stride = Math.max(1, v.length / 1000); // a long spectrum needs no more points than the plot has pixels
        for (int k = 0; k < v.length; k += stride) {
            int i = k + stride >= v.length ? v.length - 1 : k; // always end on the smallest value
            if (!(v[i] > 0) || !Double.isFinite(v[i])) continue;
            double x = f.x(n <= 1 ? 0 : (double) i / (n - 1));
            double y = f.y((Math.log10(v[i]) - lo) / (hi - lo));
            s.append(fmt(x)).append(',').append(fmt(y)).append(' ');
        }
        return s.append("\"/>").toString();
    }

    // ---------------------------------------------------------------- heatmaps

    /** Two colour grids side by side (original | edited) sharing one diverging scale. */
    /** Width of one character of a 9 px sans-serif label, generously (DejaVu Sans averages about 0.55 em). */
    static final double LABEL_CHAR_PX = 5.6;

    static String heatmap(Heatmap h) {
        int rows = h.original().length;
        int cols = rows == 0 ? 0 : h.original()[0].length;
        if (rows == 0 || cols == 0) return empty(h.title(), "empty matrix");
        double max = 0;
        for (double[][] m : new double[][][] {h.original(), h.edited()}) {
            for (double[] r : m) for (double v : r) if (Double.isFinite(v)) max = Math.max(max, Math.abs(v));
        }
        if (max == 0) max = 1;
        int cell = Math.max(10, Math.min(36, 420 / Math.max(rows, cols)));
        // column labels never overlap: cells widen to fit a horizontal label, or labels turn 60° when that gets too wide
        int labelPx = 0;
        for (String l : h.columnLabels()) labelPx = Math.max(labelPx, (int) Math.ceil(l.length() * LABEL_CHAR_PX));
        boolean rotate = cols * (labelPx + 8) > 480;
        int cellW = rotate ? cell : Math.max(cell, labelPx + 8);
        int rowLabelW = 70;
        int colLabelH = rotate ? (int) Math.ceil(labelPx * 0.87) + 10 : 20;
        int gridW = cols * cellW;
        int gap = rotate ? Math.max(40, (int) Math.ceil(labelPx * 0.5) + 10) : 40;
        int width = Math.max(rowLabelW + 2 * gridW + gap + 20 + (rotate ? (int) Math.ceil(labelPx * 0.5) : 0), rowLabelW + 380);
        int height = 24 + colLabelH + rows * cell + 44;
        // the page puts the title above the figure; the SVG keeps it as its accessible <title> only
        StringBuilder s = svgOpen(width, height, h.title()).replace(0, "<svg class=\"plot\"".length(), "<svg class=\"plot heatmap\"");
        for (int k = 0; k < 2; k++) {
            double[][] m = k == 0 ? h.original() : h.edited();
            int x0 = rowLabelW + k * (gridW + gap);
            int y0 = 24 + colLabelH;
            s.append(text(x0 + gridW / 2.0, 20, k == 0 ? "original" : "edited", 12, "middle", k == 0 ? ORIGINAL : EDITED));
            for (int c = 0; c < cols && c < h.columnLabels().length; c++) {
                double cx = x0 + c * cellW + cellW / 2.0;
                if (rotate) {
                    s.append(String.format(Locale.ROOT, "<g transform=\"rotate(-60 %.1f %d)\">", cx, y0 - 4))
                     .append(text(cx, y0 - 4, h.columnLabels()[c], 9, "start", "#555")).append("</g>");
                } else {
                    s.append(text(cx, y0 - 4, h.columnLabels()[c], 9, "middle", "#555"));
                }
            }
            for (int r = 0; r < rows; r++) {
                if (k == 0 && r < h.rowLabels().length) s.append(text(rowLabelW - 6, y0 + r * cell + cell / 2.0 + 4, h.rowLabels()[r], 10, "end", "#555"));
                for (int c = 0; c < cols; c++) {
                    double v = r < m.length && c < m[r].length ? m[r][c] : Double.NaN;
                    s.append("<rect x=\"").append(x0 + c * cellW).append("\" y=\"").append(y0 + r * cell).append("\" width=\"")
                     .append(cellW).append("\" height=\"").append(cell).append("\" fill=\"").append(diverging(v / max))
                     .append("\"><title>").append(Html.esc(label(h.rowLabels(), r) + " × " + label(h.columnLabels(), c)
                             + ": " + Format.number(v))).append("</title></rect>");
                }
            }
        }
        int ly = height - 18;
        // colour scale: −max … 0 … +max
        s.append(text(rowLabelW + 50, ly + 10, "−" + Format.number(max), 11, "end", "#555"));
        for (int i = 0; i <= 20; i++) {
            s.append(rect(rowLabelW + 56 + i * 9, ly, 9, 12, diverging(i / 10.0 - 1), 1));
        }
        s.append(text(rowLabelW + 56 + 21 * 9 + 6, ly + 10, "+" + Format.number(max), 11, "start", "#555"));
        return s.append("</svg>").toString();
    }

    private static String label(String[] labels, int i) {
        return i < labels.length ? labels[i] : Integer.toString(i);
    }

    /** Blue (−1) → white (0) → red (+1); grey for NaN. */
    private static String diverging(double t) {
        if (Double.isNaN(t)) return "#cccccc";
        t = Math.max(-1, Math.min(1, t));
        int r;
        int g;
        int b;
        if (t >= 0) { r = 255; g = (int) Math.round(255 - 180 * t); b = (int) Math.round(255 - 200 * t); }
        else { r = (int) Math.round(255 + 200 * t); g = (int) Math.round(255 + 130 * t); b = 255; }
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    // ---------------------------------------------------------------- frame and primitives

    /** Plot area geometry, ticks, titles and legend for one chart. */
    private static final class Frame {
        final int pw = W - L - R;
        final int ph = H - T - B;
        final String title;
        final String xLabel;
        final String yLabel;

        Frame(String title, String xLabel, String yLabel) {
            this.title = title;
            this.xLabel = xLabel;
            this.yLabel = yLabel;
        }

        double x(double t) { return L + t * pw; }

        double y(double t) { return T + ph - t * ph; }

        StringBuilder open() {
            StringBuilder s = svgOpen(W, H, title);
            s.append(text(L, 18, title, 14, "start", "#222").replace("<text", "<text font-weight=\"bold\""));
            s.append("<rect x=\"").append(L).append("\" y=\"").append(T).append("\" width=\"").append(pw).append("\" height=\"")
             .append(ph).append("\" fill=\"#fbfbfb\" stroke=\"#999\"/>");
            s.append(text(L + pw / 2.0, H - 8, xLabel, 12, "middle", "#333"));
            s.append("<text x=\"16\" y=\"").append(T + ph / 2).append("\" font-size=\"12\" fill=\"#333\" text-anchor=\"middle\" transform=\"rotate(-90 16 ")
             .append(T + ph / 2).append(")\">").append(Html.esc(yLabel)).append("</text>");
            return s;
        }

        void hTick(StringBuilder s, double y, String label) {
            s.append("<line x1=\"").append(L).append("\" y1=\"").append(fmt(y)).append("\" x2=\"").append(L + pw).append("\" y2=\"")
             .append(fmt(y)).append("\" stroke=\"#e3e3e3\"/>");
            s.append(text(L - 6, y + 4, label, 11, "end", "#444"));
        }

        void vTick(StringBuilder s, double x, String label) {
            s.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(T).append("\" x2=\"").append(fmt(x)).append("\" y2=\"")
             .append(T + ph).append("\" stroke=\"#e3e3e3\"/>");
            s.append(text(x, T + ph + 16, label, 11, "middle", "#444"));
        }

        void legend(StringBuilder s, String[] names, String[] colours) {
            // one row under the title, left-aligned with the plot area
            double x = L;
            for (int i = 0; i < names.length; i++) {
                s.append(rect(x, 31, 14, 11, colours[i], 0.9));
                s.append(text(x + 19, 41, names[i], 12, "start", "#333"));
                x += names[i].length() * 6.8 + 40;
            }
        }

        String close(StringBuilder s) {
            return s.append("</svg>").toString();
        }
    }

    private static StringBuilder svgOpen(int width, int height, String title) {
        return new StringBuilder("<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"system-ui, sans-serif\"><title>").append(Html.esc(title)).append("</title>");
    }

    private static String empty(String title, String message) {
        StringBuilder s = svgOpen(W, 80, title);
        s.append(text(10, 20, title, 14, "start", "#222").replace("<text", "<text font-weight=\"bold\""));
        s.append(text(W / 2.0, 55, message, 12, "middle", "#777"));
        return s.append("</svg>").toString();
    }

    static String text(double x, double y, String text, int size, String anchor, String colour) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" font-size=\"" + size + "\" text-anchor=\"" + anchor
                + "\" fill=\"" + colour + "\">" + Html.esc(text) + "</text>";
    }

    private static String rect(double x, double y, double w, double h, String colour, double opacity) {
        return "<rect x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" width=\"" + fmt(Math.max(0, w)) + "\" height=\"" + fmt(Math.max(0, h))
                + "\" fill=\"" + colour + "\" fill-opacity=\"" + opacity + "\"/>";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static double[] positive(double[] a) {
        return java.util.Arrays.stream(a).filter(v -> v > 0 && Double.isFinite(v)).toArray();
    }

    private static int[] histogram(double[] a, double lo, double hi, int bins) {
        int[] h = new int[bins];
        for (double v : a) {
            int i = (int) Math.floor((Math.log10(v) - lo) / (hi - lo) * bins);
            h[Math.max(0, Math.min(bins - 1, i))]++;
        }
        return h;
    }

    private static double frac(int count, int n) {
        return n == 0 ? 0 : (double) count / n;
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, v < 0.1 && v > 0 ? "%.1f%%" : "%.0f%%", v * 100);
    }

    /** 1, 2, 2.5, 5 × 10^k at or above v. */
    private static double niceCeil(double v) {
        if (v <= 0) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) if (m * p >= v * 0.999999) return m * p;
        return 10 * p;
    }

    private static int niceStep(int n) {
        int target = Math.max(1, n / 8);
        int p = (int) Math.pow(10, Math.floor(Math.log10(target)));
        for (int m : new int[] {1, 2, 5, 10}) if (m * p >= target) return m * p;
        return 10 * p;
    }

    private static double clamp01(double v) {
        return Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }
}
