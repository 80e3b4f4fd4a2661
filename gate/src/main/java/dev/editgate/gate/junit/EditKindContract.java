package dev.editgate.gate.junit;

import dev.editgate.core.edit.KindEdit;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The gate as a JUnit contract for an edit of any kind, parameterised by the kind:
 *
 * <pre>{@code
 * class MyNeuronPermutationIT extends EditKindContract<Permutation> {
 *     @Override protected EditKind<Permutation> kind() { return EditKinds.MLP_PERMUTATION; }
 *     @Override protected KindEdit<Permutation> edit() { return new MyNeuronPermutation(); }
 * }
 * }</pre>
 *
 * As {@link HeadPermutationContract} (which stays the contract of head permutations): the gate runs once per class,
 * each stage is one test, a failed stage shows its minimal counterexample and diagnosis, stages skipped because an
 * earlier one failed, or because they do not apply to the kind, are reported as skipped with why. Settings come from
 * {@code -Deditgate.*} and {@link #settings()}; reports go to {@code target/editgate/<test class>/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class EditKindContract<P> {
    private GateReport report;

    /** The kind of edit under test, e.g. {@code EditKinds.MLP_PERMUTATION}. */
    protected abstract EditKind<P> kind();

    /** The edit under test. */
    protected abstract KindEdit<P> edit();

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
        Map<GateKey, String> fixed = new java.util.EnumMap<>(GateKey.class);
        fixed.put(GateKey.EDIT_KIND, kind().name());
        fixed.putAll(settings());
        report = ContractGateRun.run(getClass(), fixed, java.util.Set.of(GateKey.EDIT_KIND), "editgate (" + kind().name() + "): ",
                (gate, description) -> gate.run(kind(), edit(), description));
    }

    @Test
    @Order(1)
    final void structural() { assertStage("structural"); }

    @Test
    @Order(2)
    final void numeric() { assertStage("numeric"); }

    @Test
    @Order(3)
    final void functional() { assertStage("functional"); }

    @Test
    @Order(4)
    final void behavioural() { assertStage("behavioural"); }

    private void assertStage(String name) {
        ContractGateRun.assertStage(report, name, this::failureMessage);
    }

    private String failureMessage(StageReport stage) {
        StringBuilder sb = new StringBuilder("editgate " + stage.name() + " stage failed (" + kind().name() + "): " + stage.reason());
        for (PropertyReport p : stage.properties()) {
            if (p.status() != PropertyReport.Status.FAILED) continue;
            sb.append("\n\n  property: ").append(p.name());
            if (p.counterexample() != null) {
                sb.append("\n  minimal counterexample: ").append(p.counterexample().shrunkCycles()).append("  (").append(kind().convention()).append(')');
            }
            sb.append("\n  seed: ").append(p.seed());
            if (!p.failureMessage().isBlank()) sb.append("\n  what broke: ").append(p.failureMessage().replace("\n", "\n    "));
            if (!p.diagnosis().isBlank()) sb.append("\n  diagnosis: ").append(p.diagnosis().replace("\n", "\n    "));
        }
        return sb.append("\n\n  rerun: ").append(report.reproduceCommand()).toString();
    }
}
