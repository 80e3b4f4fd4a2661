package dev.editgate.gate.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.editgate.fixtures.Fixtures;
import dev.editgate.reports.model.PropertyReport;
import org.junit.jupiter.api.Test;

/** A runner that tokenizes (numpy runner --tokenize): its ids are compared with editgate's tokenizer, BOS included. */
class TokenizingRunnerTest {
    @Test
    void theReferenceRunnersTokenizerAgreesWithEditgates() {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Harness.Result r = Harness.run(HarnessTestSupport.numpyRunner(null, "--tokenize"), Fixtures.named("tiny"),
                HarnessSettings.defaults(1, 77), s -> { });
        assertEquals(5, r.properties().size(), () -> HarnessTestSupport.summary(r));
        assertTrue(r.passed(), () -> HarnessTestSupport.summary(r));
    }

    @Test
    void aTokenizerThatAddsABosTokenIsNamed() {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        long t = System.nanoTime();
        Harness.Result r = Harness.run(HarnessTestSupport.numpyRunner("bos_prepended", "--tokenize"), Fixtures.named("tiny"),
                HarnessSettings.defaults(1, 77), s -> { });
        PropertyReport p = r.properties().stream().filter(x -> x.name().equals(TokenizationProperty.NAME)).findFirst().orElseThrow();
        assertEquals(PropertyReport.Status.FAILED, p.status(), () -> HarnessTestSupport.summary(r));
        assertEquals("prompt \"The\"", p.counterexample().shrunkCycles(), () -> HarnessTestSupport.summary(r));
        assertTrue(p.diagnosis().startsWith("the runner's tokenizer adds a BOS token (id 0)"), p.diagnosis());
        System.out.printf("| bos_prepended --tokenize | tiny | %s | %s | %s | %.1f s |%n", p.name(), p.counterexample().shrunkCycles(), p.diagnosis(),
                (System.nanoTime() - t) / 1e9);
    }
}
