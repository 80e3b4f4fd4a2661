package dev.editgate.gate.junit;

import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.gate.GateListener;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.shapes.ShapeGen;
import dev.editgate.gate.shapes.ShapeSweep;
import dev.editgate.reports.ReportFiles;
import dev.editgate.reports.ReportWriter;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.StageReport;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The gate over generated model shapes as a JUnit contract: one test per family, each running the edit's structural
 * and numeric stages over {@code --shapes} (default 50) generated models of that family and the functional stage on
 * the smallest few ({@code --model shapes:FAMILY}). A failing family's test fails with the smallest failing config,
 * the nearest passing config (one option flipped), the diagnosis and the failed stage's minimal permutation:
 *
 * <pre>{@code
 * class MyHeadPermutationShapesIT extends HeadPermutationShapesContract {
 *     @Override protected HeadPermutationEdit edit() { return new MyHeadPermutation(); }
 *     @Override protected List<String> families() { return List.of("llama", "qwen2"); }   // default: every family
 * }
 * }</pre>
 *
 * Settings come from {@code -Deditgate.*} system properties (e.g. {@code -Deditgate.shapes=200 -Deditgate.seed=7}) and
 * {@link #settings()}; reports go to {@code target/editgate/<test class>/<family>/}.
 */
public abstract class HeadPermutationShapesContract {

    /** The edit under test. */
    protected abstract HeadPermutationEdit edit();

    /** The families to generate (model_type values); default every one ({@link ShapeGen#FAMILIES}). */
    protected List<String> families() {
        return ShapeGen.FAMILIES;
    }

    /** Settings fixed by this test class (override; {@code -Deditgate.*} system properties win over them). */
    protected Map<GateKey, String> settings() {
        return Map.of();
    }

    @TestFactory
    final Stream<DynamicTest> generatedShapes() {
        return families().stream().map(f -> DynamicTest.dynamicTest("shapes:" + f, () -> check(f)));
    }

    private void check(String family) {
        Map<GateKey, String> fixed = new EnumMap<>(GateKey.class);
        fixed.put(GateKey.REPORT, "target/editgate/" + getClass().getSimpleName() + "/" + family);
        fixed.putAll(settings());
        java.util.Properties sys = System.getProperties();
        fixed.keySet().removeIf(k -> sys.getProperty(k.systemProperty()) != null);
        fixed.put(GateKey.MODEL, ShapeSweep.PREFIX + family);
        GateConfig config = GateConfig.resolve(fixed, sys);
        GateReport report = new ShapeSweep(config, GateListener.NONE, edit(), getClass().getSimpleName() + ".edit()").run();
        ReportFiles files = ReportWriter.write(report, config.reportDir());
        System.out.println("editgate shapes:" + family + ": " + report.verdict() + " - report " + files.html().toAbsolutePath());
        if (report.verdict() == GateReport.Verdict.PASS) return;
        StringBuilder sb = new StringBuilder("editgate over generated " + family + " shapes: " + report.verdict());
        for (String line : report.shapes().summaryLines()) sb.append("\n  ").append(line);
        for (StageReport s : report.stages()) {
            if (s.status() == StageReport.Status.FAILED) sb.append("\n\n").append(HeadPermutationContract.failureMessage(s,
                    config.mavenReproduceCommand(getClass().getSimpleName(), sys)));
            if (s.status() == StageReport.Status.ERROR) sb.append("\n\n").append(s.name()).append(" stage could not run: ").append(s.reason());
        }
        Assertions.fail(sb.toString());
    }
}
