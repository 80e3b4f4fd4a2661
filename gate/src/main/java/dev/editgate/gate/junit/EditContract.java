package dev.editgate.gate.junit;

import dev.editgate.core.contract.Clause;
import dev.editgate.core.contract.ClauseResult;
import dev.editgate.core.contract.Contract;
import dev.editgate.core.contract.ContractEdit;
import dev.editgate.core.contract.ContractParser;
import dev.editgate.gate.ModelChoice;
import dev.editgate.gate.contract.ContractGate;
import dev.editgate.gate.contract.ContractReport;
import dev.editgate.gate.contract.ContractVerdict;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract gate as a JUnit test: a lab's test extends this class with its edit (a {@link ContractEdit}), its
 * contract file and its model, and {@code mvn verify} fails when a clause fails. Each clause is one dynamic test, so
 * the build output names the failed clause with its summary (for preservation: the shrunk prompt as text and ids).
 *
 * <pre>{@code
 * class MyKnowledgeEditIT extends EditContract {
 *     @Override protected ContractEdit edit() { return new MyRomeEdit(); }
 *     @Override protected Path contractFile() { return Path.of("src/test/resources/my-edit.contract"); }
 *     @Override protected String model() { return "EleutherAI/pythia-160m"; }
 * }
 * }</pre>
 *
 * {@code -Deditgate.contract.KEY=VALUE} system properties override the file; {@link #settings()} overrides both.
 * Reports go to {@code target/editgate/<test class>/contract-report.*}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EditContract {
    private ContractVerdict verdict;

    protected abstract ContractEdit edit();

    /** The contract file; null when {@link #settings()} and system properties declare everything. */
    protected abstract Path contractFile();

    /** A folder, a cached model id or {@code fixture:NAME}. */
    protected abstract String model();

    /** Contract keys fixed by this class (they win over the file and system properties). */
    protected Map<String, String> settings() { return Map.of(); }

    /** The verdict (after the gate ran). */
    protected final ContractVerdict verdict() { return verdict; }

    @BeforeAll
    final void runGate() {
        Contract c = ContractParser.read(contractFile(), System.getProperties(), settings());
        Path folder = ModelChoice.resolve(model(), null);
        verdict = new ContractGate(c, folder, ContractGate.Options.defaults()).judge(edit(), getClass().getName(), "lab-edit");
        ContractReport.write(verdict, Path.of("target", "editgate", getClass().getSimpleName()).toAbsolutePath());
    }

    @TestFactory
    final java.util.stream.Stream<DynamicTest> clauses() {
        return verdict.clauses().stream().map(r -> DynamicTest.dynamicTest(r.clause().label(), () -> {
            if (r.status() == ClauseResult.Status.FAILED) {
                Assertions.fail(r.clause().label() + " failed: " + r.summary() + (r.details().isEmpty() ? "" : "\n  " + String.join("\n  ", r.details()))
                        + "\nrerun: -Deditgate.contract.preservation.seed=" + verdict.seed());
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(r.status() != ClauseResult.Status.SKIPPED || r.clause() == Clause.EDIT_RUNS, r.summary());
        }));
    }
}
