package dev.editgate.gate.cli;

import dev.editgate.gate.Gate;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.MessageLines;
import dev.editgate.reports.ReportFiles;
import dev.editgate.reports.ReportWriter;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code editgate gate}: runs the staged gate and writes the reports. Its options are the {@link GateKey}
 * vocabulary (also accepted as {@code -Deditgate.KEY} and in a {@code --config} file), added to the
 * command from that one list so the three never drift apart.
 */
@Command(name = "gate", mixinStandardHelpOptions = true,
        description = {"Runs the gate on an edit (a head permutation unless --edit-kind names another kind): structural, numeric, functional, then behavioural stages.",
                "Each stage runs only if the ones before it passed. With no options it checks the built-in edit on the embedded tiny fixture.",
                "",
                "Exit codes:",
                "  0 the gate passed",
                "  1 it failed: the edit is wrong",
                "  2 bad usage, input or setup, found before the gate starts: a flag, a file, an unwritable report folder, a missing GPU, an edit command that does not start or does not answer its first (identity) request",
                "  3 INCONCLUSIVE: nothing failed, but a stage could not run or the time budget was spent; the edit was not judged",
                ""},
        footer = {"", "Every option is also a system property (-Deditgate.tries=50, e.g. on mvn",
                "verify) and a key of a --config properties file (tries=50).",
                "Precedence: option, then system property, then config file, then default."})
final class GateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandSpec spec;

    @CommandLine.Option(names = "--junit-xml", paramLabel = "FILE",
            description = "Also write a JUnit XML report (one test case per property, the counterexample in the failure message).")
    java.nio.file.Path junitXml;

    /** Adds one option per {@link GateKey} to the {@code gate} command. */
    static void addOptions(CommandSpec gate) {
        for (GateKey k : GateKey.values()) {
            String def = k.defaultValue().isEmpty() ? "" : " (default: " + k.defaultValue() + ")";
            gate.addOption(OptionSpec.builder(k.flag()).paramLabel(k.key().toUpperCase(java.util.Locale.ROOT).replace('-', '_'))
                    .type(String.class).description(k.description() + def).build());
        }
    }

    @Override
    public Integer call() {
        Map<GateKey, String> cli = new EnumMap<>(GateKey.class);
        for (GateKey k : GateKey.values()) {
            String v = spec.findOption(k.flag()).getValue();
            if (v != null) cli.put(k, v);
        }
        GateConfig config = GateConfig.resolve(cli, System.getProperties());
        PrintStream out = System.out;
        out.println("editgate gate: model " + config.model() + ", edit " + config.edit() + ", dtype " + config.dtype()
                + ", tries " + config.tries() + ", seed " + config.seed());
        if (junitXml != null) dev.editgate.gate.setup.Preflight.reportFolderWritable(junitXml.toAbsolutePath().getParent());
        GateReport report;
        try (ProgressLine progress = new ProgressLine(System.err, System.console() != null, ProgressLine.HEARTBEAT, previousStageTimes(config))) {
            report = dev.editgate.gate.shapes.ShapeSweep.isShapes(config.model())
                    ? new dev.editgate.gate.shapes.ShapeSweep(config, progress).run() : new Gate(config, progress).run();
        }
        ReportFiles files = ReportWriter.write(report, config.reportDir());
        if (junitXml != null) dev.editgate.reports.JunitXmlReport.write(report, junitXml);
        printSummary(out, report, files);
        if (junitXml != null) out.println("         " + junitXml.toAbsolutePath() + " (JUnit XML)");
        if (GithubAnnotations.enabled(System.getenv())) GithubAnnotations.print(out, report);
        return exitCode(report.verdict());
    }

    /**
     * Each stage's duration in the previous run written to the same report folder, when that run is comparable
     * (same model, compute dtype and tries): the basis of the whole-run ETA. Empty otherwise.
     */
    static Map<String, java.time.Duration> previousStageTimes(GateConfig config) {
        java.nio.file.Path file = config.reportDir().resolve(ReportWriter.JSON);
        if (!java.nio.file.Files.isRegularFile(file)) return Map.of();
        try {
            GateReport prev = dev.editgate.reports.JsonReport.read(file);
            if (prev.run() == null || !prev.run().model().equals(config.model()) || prev.run().tries() != config.tries()
                    || !prev.run().computeDtype().equals(config.dtype())) {
                return Map.of();
            }
            Map<String, java.time.Duration> times = new java.util.HashMap<>();
            for (StageReport s : prev.stages()) {
                if (s.status() == StageReport.Status.PASSED) times.put(s.name(), s.elapsed());
            }
            return times;
        } catch (RuntimeException e) {
            return Map.of(); // an unreadable old report only costs the ETA
        }
    }

    static int exitCode(GateReport.Verdict v) {
        return switch (v) {
            case PASS -> EditgateCli.EXIT_PASS;
            case FAIL -> EditgateCli.EXIT_GATE_FAILED;
            case INCONCLUSIVE -> EditgateCli.EXIT_INCONCLUSIVE;
        };
    }

    /** "  (shrunk from (1 2 4 3))" when shrinking changed the counterexample, else "". */
    static String shrunkFrom(dev.editgate.reports.model.Counterexample c) {
        return c.shrinkSteps() > 0 && !java.util.Arrays.equals(c.original(), c.shrunk()) ? "  (shrunk from " + c.originalCycles() + ")" : "";
    }

    static void printSummary(PrintStream out, GateReport report, ReportFiles files) {
        out.println();
        for (StageReport s : report.stages()) {
            out.printf("  %-12s %-8s %s%n", s.name(), s.status(), s.status() == StageReport.Status.PASSED ? "" : s.reason());
            for (PropertyReport p : s.properties()) {
                if (p.status() != PropertyReport.Status.FAILED) continue;
                out.println("      x " + p.name());
                if (p.counterexample() != null) {
                    out.println("        minimal counterexample: " + p.counterexample().shrunkCycles() + shrunkFrom(p.counterexample()));
                }
                if (!p.failureMessage().isBlank()) {
                    out.println("        " + MessageLines.head(p.failureMessage()).replace("\n", "\n        "));
                    int hidden = MessageLines.hidden(p.failureMessage());
                    if (hidden > 0) out.println("          ... and " + hidden + " more lines (all of them in the report)");
                }
                if (!p.diagnosis().isBlank()) out.println("        diagnosis: " + p.diagnosis().replace("\n", "\n          "));
            }
        }
        if (report.shapes() != null) {
            out.println();
            for (String line : report.shapes().summaryLines()) out.println("  " + line);
        }
        out.println();
        String what = report.shapes() == null ? (report.run().wholeModel() ? "whole model, " + report.run().editKind()
                : "layer " + report.run().layer() + ", " + report.run().heads() + " heads")
                : report.shapes().models().size() + " generated " + report.shapes().family() + " models";
        out.println("verdict: " + report.verdict() + " (" + what + ", " + ProgressLine.seconds(report.elapsed()) + ")");
        if (report.verdict() == GateReport.Verdict.INCONCLUSIVE) {
            out.println("         nothing failed, but not every stage ran (see above): the edit was not judged; fix that and rerun");
        }
        out.println("report:  " + files.html().toAbsolutePath());
        out.println("         " + files.markdown().toAbsolutePath());
        out.println("         " + files.json().toAbsolutePath());
        out.println("rerun:   " + report.reproduceCommand());
    }
}
