package dev.editgate.gate.cli;

import dev.editgate.reports.JunitXmlReport;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.io.PrintStream;
import java.util.Map;

/**
 * GitHub Actions workflow commands ({@code ::error title=…::message}) for each failed property and each stage
 * that could not run, printed when {@code GITHUB_ACTIONS=true}, so a lab's CI shows the gate's findings on the
 * run's summary page like its own test failures.
 */
final class GithubAnnotations {
    private GithubAnnotations() {}

    static boolean enabled(Map<String, String> env) {
        return "true".equalsIgnoreCase(env.getOrDefault("GITHUB_ACTIONS", ""));
    }

    static void print(PrintStream out, GateReport report) {
        for (StageReport s : report.stages()) {
            if (s.status() == StageReport.Status.ERROR) {
                out.println("::error title=" + property("editgate " + s.name() + " stage could not run") + "::" + data(s.reason()));
            }
            for (PropertyReport p : s.properties()) {
                if (p.status() != PropertyReport.Status.FAILED) continue;
                String body = JunitXmlReport.failureMessage(p)
                        + (p.diagnosis().isBlank() ? "" : "\ndiagnosis: " + p.diagnosis())
                        + "\nrerun: " + report.reproduceCommand();
                out.println("::error title=" + property("editgate " + s.name() + ": " + p.name()) + "::" + data(body));
            }
        }
        if (report.verdict() == GateReport.Verdict.INCONCLUSIVE) {
            out.println("::warning title=" + property("editgate INCONCLUSIVE") + "::"
                    + data("a stage could not run or the time budget was spent; the edit was not judged"));
        }
    }

    /** Escapes a message per the workflow-command rules. */
    static String data(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    /** Escapes a property value (title=…) per the workflow-command rules. */
    static String property(String s) {
        return data(s).replace(":", "%3A").replace(",", "%2C");
    }
}
