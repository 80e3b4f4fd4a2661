package dev.editgate.reports;

import dev.editgate.reports.model.Counterexample;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The gate as a JUnit XML report (the Surefire/Ant format every CI dashboard reads): one test suite, one
 * test case per property ({@code classname} = {@code editgate.<stage>}), the minimal counterexample and what
 * broke in the failure message; a stage that could not run is an error, a skipped stage one skipped case.
 */
public final class JunitXmlReport {
    private JunitXmlReport() {}

    public static void write(GateReport r, Path file) {
        AtomicFiles.writeString(file, render(r));
    }

    public static String render(GateReport r) {
        int tests = 0, failures = 0, errors = 0, skipped = 0;
        StringBuilder cases = new StringBuilder();
        for (StageReport s : r.stages()) {
            String cls = "editgate." + s.name();
            if (s.status() == StageReport.Status.SKIPPED || (s.status() == StageReport.Status.ERROR && s.properties().isEmpty())) {
                tests++;
                boolean error = s.status() == StageReport.Status.ERROR;
                if (error) errors++; else skipped++;
                cases.append("  <testcase classname=\"").append(attr(cls)).append("\" name=\"").append(attr(s.name() + " stage"))
                     .append("\" time=\"0\">\n    ").append(error ? "<error message=\"" : "<skipped message=\"").append(attr(s.reason()))
                     .append(error ? "\"/>\n" : "\"/>\n").append("  </testcase>\n");
                continue;
            }
            for (PropertyReport p : s.properties()) {
                tests++;
                cases.append("  <testcase classname=\"").append(attr(cls)).append("\" name=\"").append(attr(p.name()))
                     .append("\" time=\"").append(String.format(Locale.ROOT, "%.3f", p.elapsed().toNanos() / 1e9)).append("\"");
                if (p.status() == PropertyReport.Status.PASSED) {
                    cases.append("/>\n");
                    continue;
                }
                failures++;
                String message = failureMessage(p);
                cases.append(">\n    <failure message=\"").append(attr(message)).append("\" type=\"editgate.PropertyFailed\">")
                     .append(text(message + details(p))).append("</failure>\n  </testcase>\n");
            }
            if (s.status() == StageReport.Status.ERROR) {
                tests++;
                errors++;
                cases.append("  <testcase classname=\"").append(attr(cls)).append("\" name=\"").append(attr(s.name() + " stage"))
                     .append("\" time=\"0\">\n    <error message=\"").append(attr(s.reason())).append("\"/>\n  </testcase>\n");
            }
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"editgate\" tests=\"" + tests + "\" failures=\"" + failures
                + "\" errors=\"" + errors + "\" skipped=\"" + skipped + "\" time=\""
                + String.format(Locale.ROOT, "%.3f", r.elapsed().toNanos() / 1e9) + "\">\n"
                + "  <properties>\n    <property name=\"verdict\" value=\"" + r.verdict() + "\"/>\n"
                + (r.run() == null ? "" : "    <property name=\"seed\" value=\"" + r.run().seed() + "\"/>\n")
                + "    <property name=\"rerun\" value=\"" + attr(Format.text(r.reproduceCommand())) + "\"/>\n  </properties>\n"
                + cases + "</testsuite>\n";
    }

    /** The headline of a failed property: the minimal counterexample and the first line of what broke. */
    public static String failureMessage(PropertyReport p) {
        Counterexample c = p.counterexample();
        String first = Format.text(p.failureMessage()).lines().findFirst().orElse("");
        if (c == null) return first;
        if (!Format.isPermutation(c.shrunk())) return "minimal counterexample " + c.shrunkCycles() + ": " + first; // harness: tokens, a prompt
        return "minimal counterexample " + c.shrunkCycles() + " = " + Arrays.toString(c.shrunk()) + ": " + first;
    }

    private static String details(PropertyReport p) {
        StringBuilder sb = new StringBuilder("\n");
        Counterexample c = p.counterexample();
        if (c != null && c.shrinkSteps() > 0 && !Arrays.equals(c.original(), c.shrunk())) {
            sb.append("shrunk from ").append(c.originalCycles()).append(" in ").append(c.shrinkSteps()).append(" steps\n");
        }
        sb.append("seed ").append(p.seed()).append(", ").append(p.tries()).append(" tries\n");
        if (!Format.text(p.failureMessage()).isBlank()) sb.append(p.failureMessage()).append('\n');
        if (!Format.text(p.diagnosis()).isBlank()) sb.append("diagnosis: ").append(p.diagnosis()).append('\n');
        return sb.toString();
    }

    private static String text(String s) {
        return clean(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String attr(String s) {
        return text(Format.text(s)).replace("\"", "&quot;").replace("\n", "&#10;");
    }

    /** XML 1.0 forbids most control characters even as references. */
    private static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp == '\n' || cp == '\t' || cp == '\r' || cp >= 0x20) sb.appendCodePoint(cp);
        });
        return sb.toString();
    }
}
