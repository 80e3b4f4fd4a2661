package dev.editgate.gate.junit;

import dev.editgate.gate.Gate;
import dev.editgate.gate.GateListener;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.ReportWriter;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.StageReport;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** What the JUnit contracts share: one gate run per test class, and a stage's status as a test outcome. */
final class ContractGateRun {
    private ContractGateRun() {}

    /**
     * Runs the gate for {@code testClass} with its reports under {@code target/editgate/<class>}: {@code fixed} are the class's
     * settings, which {@code -Deditgate.*} system properties override except for the {@code pinned} keys; {@code run} runs
     * the edit on the gate with the edit's description. Writes the reports and prints where they are.
     */
    static GateReport run(Class<?> testClass, Map<GateKey, String> fixed, Set<GateKey> pinned, String label,
                          BiFunction<Gate, String, GateReport> run) {
        Map<GateKey, String> settings = new EnumMap<>(GateKey.class);
        settings.put(GateKey.REPORT, "target/editgate/" + testClass.getSimpleName());
        settings.putAll(fixed);
        Properties sys = System.getProperties();
        settings.keySet().removeIf(k -> !pinned.contains(k) && sys.getProperty(k.systemProperty()) != null);
        GateConfig config = GateConfig.resolve(settings, sys);
        GateReport report = run.apply(new Gate(config, GateListener.NONE).rerunLine(config.mavenReproduceCommand(testClass.getSimpleName(), sys)),
                testClass.getSimpleName() + ".edit()");
        var files = ReportWriter.write(report, config.reportDir());
        System.out.println(label + report.verdict() + " - report " + files.html().toAbsolutePath());
        return report;
    }

    /**
     * Stage {@code name} of {@code report} as a test outcome: passed; skipped (aborted) when an earlier stage failed; failed
     * with {@code failureMessage} when it failed, and failed too when it was not judged (time budget) or could not run.
     */
    static void assertStage(GateReport report, String name, Function<StageReport, String> failureMessage) {
        StageReport stage = report.stages().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("the gate has no stage " + name));
        if (stage.status() == StageReport.Status.SKIPPED && stage.reason().contains("time budget")) {
            // not judged is not passed: a build must not go green because the gate ran out of time
            Assertions.fail("editgate " + stage.name() + " stage was not run (verdict INCONCLUSIVE): " + stage.reason()
                    + "; raise -Deditgate.time-budget");
        }
        Assumptions.assumeFalse(stage.status() == StageReport.Status.SKIPPED, stage.reason());
        if (stage.status() == StageReport.Status.FAILED) Assertions.fail(failureMessage.apply(stage));
        if (stage.status() == StageReport.Status.ERROR) {
            Assertions.fail("editgate " + stage.name() + " stage could not run (verdict INCONCLUSIVE: a setup problem, not the edit): "
                    + stage.reason());
        }
    }
}
