package dev.editgate.reports;

import dev.editgate.reports.model.Counterexample;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Text formatting shared by the Markdown and HTML renderers. */
final class Format {

    private static final DateTimeFormatter INSTANT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Format() {}

    static String text(String s) {
        return s == null ? "" : s;
    }

    static String orDash(String s) {
        return s == null || s.isBlank() ? "—" : s;
    }

    static String instant(Instant t) {
        return t == null ? "—" : INSTANT.format(t);
    }

    /** 850 ms, 4.2 s, 3 min 05 s. */
    static String duration(Duration d) {
        if (d == null) return "—";
        long ms = d.toMillis();
        if (ms < 1000) return ms + " ms";
        if (ms < 60_000) return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        long s = ms / 1000;
        return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }

    /** Compact scientific notation for errors and norms: 3.1e-04, 12.5. */
    static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "∞" : "-∞";
        double a = Math.abs(v);
        if (a == 0) return "0";
        if (a >= 1e-2 && a < 1e5) return String.format(Locale.ROOT, "%.4g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
        return String.format(Locale.ROOT, "%.2e", v);
    }

    /**
     * Whether {@code a} is a permutation of 0..n-1 (a head/neuron/coordinate permutation counterexample); a harness
     * counterexample may be token ids or a prompt, another edit kind's an exponent list.
     */
    static boolean isPermutation(int[] a) {
        boolean[] seen = new boolean[a.length];
        for (int v : a) {
            if (v < 0 || v >= a.length || seen[v]) return false;
            seen[v] = true;
        }
        return a.length > 0;
    }

    /** Image form {@code [3, 0, 1, 2]}: new head i = old head p[i]. */
    static String image(int[] p) {
        if (p == null) return "—";
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < p.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(p[i]);
        }
        return sb.append(']').toString();
    }

    /** Cycle notation following i -> p[i], fixed points omitted; {@code ()} for the identity. */
    static String cycles(int[] p) {
        if (p == null) return "—";
        boolean[] seen = new boolean[p.length];
        StringBuilder sb = new StringBuilder();
        for (int start = 0; start < p.length; start++) {
            if (seen[start] || p[start] == start) continue;
            sb.append('(');
            int i = start;
            while (!seen[i]) {
                seen[i] = true;
                if (i != start) sb.append(' ');
                sb.append(i);
                i = p[i];
            }
            sb.append(')');
        }
        return sb.isEmpty() ? "()" : sb.toString();
    }

    static String shrunkCycles(Counterexample c) {
        return c.shrunkCycles() == null || c.shrunkCycles().isBlank() ? cycles(c.shrunk()) : c.shrunkCycles();
    }

    static String originalCycles(Counterexample c) {
        return c.originalCycles() == null || c.originalCycles().isBlank() ? cycles(c.original()) : c.originalCycles();
    }

    static int moved(int[] p) {
        int n = 0;
        for (int i = 0; i < p.length; i++) if (p[i] != i) n++;
        return n;
    }
}
