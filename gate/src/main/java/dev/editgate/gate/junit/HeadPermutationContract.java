package dev.editgate.gate.junit;

import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.gate.config.GateKey;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The gate as a JUnit contract. A lab's test extends this class with its edit, and {@code mvn verify}
 * (Failsafe runs {@code *IT} classes) fails when the gate fails:
 *
 * <pre>{@code
 * class MyHeadPermutationIT extends HeadPermutationContract {
 *     @Override protected HeadPermutationEdit edit() { return new MyHeadPermutation(); }
 * }
 * }</pre>
 *
 * The gate runs once per class; each stage is one test, so the build output and the Failsafe XML report
 * show which stage failed, with the minimal counterexample and the diagnosis in the failure message.
 * Stages skipped because an earlier one failed are reported as skipped (aborted), with why. Settings come
 * from {@code -Deditgate.*} system properties (e.g. {@code -Deditgate.model=EleutherAI/pythia-160m
 * -Deditgate.layer=6}) and may be fixed in code by overriding {@link #settings()}. Reports are written to
 * {@code target/editgate/<test class>/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class HeadPermutationContract {
    private GateReport report;

    /** The edit under test. */
    protected abstract HeadPermutationEdit edit();

    /** Settings fixed by this test class (override; {@code -Deditgate.*} system properties win over them). */
    protected Map<GateKey, String> settings() {
        return Map.of();
    }

    /** The report of this class's gate run (after it ran). */
    protected final GateReport report() {
        return report;
    }

    @BeforeAll
    final void runGate() {
        report = ContractGateRun.run(getClass(), settings(), java.util.Set.of(), "editgate: ", (gate, description) -> gate.run(edit(), description));
    }

    @Test
    @Order(1)
    final void structural() {
        assertStage("structural");
    }

    @Test
    @Order(2)
    final void numeric() {
        assertStage("numeric");
    }

    @Test
    @Order(3)
    final void functional() {
        assertStage("functional");
    }

    @Test
    @Order(4)
    final void behavioural() {
        assertStage("behavioural");
    }

    /**
     * The lab's own harness (runner protocol, docs/runner-protocol.md), when a runner is configured: override
     * {@link #settings()} with {@code GateKey.RUNNER} ({@code "command:python3 my_runner.py"}) or pass
     * {@code -Deditgate.runner=...}; aborted (skipped) otherwise.
     */
    @Test
    @Order(5)
    final void harness() {
        Assumptions.assumeTrue(report.stages().stream().anyMatch(s -> s.name().equals("harness")),
                "no runner configured (GateKey.RUNNER / -Deditgate.runner): the lab's harness was not checked");
        assertStage("harness");
    }

    private void assertStage(String name) {
        ContractGateRun.assertStage(report, name, stage -> failureMessage(stage, report.reproduceCommand()));
    }

    /** A failed stage as the build shows it: each failed property with its minimal counterexample and diagnosis. */
    static String failureMessage(StageReport stage, String rerun) {
        StringBuilder sb = new StringBuilder("editgate " + stage.name() + " stage failed: " + stage.reason());
        for (PropertyReport p : stage.properties()) {
            if (p.status() != PropertyReport.Status.FAILED) continue;
            sb.append("\n\n  property: ").append(p.name());
            if (p.counterexample() != null) {
                boolean perm = p.counterexample().shrunk().length > 0; // harness token/prompt counterexamples carry only their text
                sb.append("\n  minimal counterexample: ").append(p.counterexample().shrunkCycles());
                if (perm) sb.append(" = ").append(java.util.Arrays.toString(p.counterexample().shrunk())).append("  (new head i = old head π(i))");
                if (p.counterexample().shrinkSteps() > 0 && (perm
                        ? !java.util.Arrays.equals(p.counterexample().original(), p.counterexample().shrunk())
                        : !p.counterexample().originalCycles().equals(p.counterexample().shrunkCycles()))) {
                    sb.append("\n  shrunk from: ").append(p.counterexample().originalCycles())
                            .append(" in ").append(p.counterexample().shrinkSteps()).append(" steps");
                }
            }
            sb.append("\n  seed: ").append(p.seed());
            if (!p.failureMessage().isBlank()) sb.append("\n  what broke: ").append(p.failureMessage().replace("\n", "\n    "));
            if (!p.diagnosis().isBlank()) sb.append("\n  diagnosis: ").append(p.diagnosis().replace("\n", "\n    "));
        }
        return sb.append("\n\n  rerun: ").append(rerun).toString();
    }
}
