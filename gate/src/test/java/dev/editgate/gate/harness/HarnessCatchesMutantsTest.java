package dev.editgate.gate.harness;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.editgate.fixtures.Fixtures;
import dev.editgate.reports.model.PropertyReport;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every harness mutant of the numpy runner is caught by the property its bug breaks, with the minimal counterexample
 * and the diagnosis; each case prints one row of the table (mutant, property, counterexample, diagnosis, time).
 */
class HarnessCatchesMutantsTest {
    static Stream<Arguments> mutants() {
        return Stream.of(
                Arguments.of("slice_patching", "tiny", EquivarianceProperty.NAME, "π = (0 1), S = [0]", EquivarianceProperty.SLICES),
                Arguments.of("wrong_layer", "tiny", EquivarianceProperty.NAME, "π = (0 1), S = [0]", "acts on layer 0 when asked for layer 1"),
                Arguments.of("half_softmax", "tiny", BaselineProperty.NAME, "tokens [0] (1 token)", "half-precision arithmetic"),
                Arguments.of("no_causal_mask", "tiny", BaselineProperty.NAME, "(2 tokens)", "attention is not causal"),
                Arguments.of("rotary_adjacent", "tiny-llama", BaselineProperty.NAME, "(2 tokens)", "not adjacent pairs"),
                Arguments.of("gqa_tile", "tiny-llama", BaselineProperty.NAME, "tokens [0] (1 token)", "repeat_interleave"),
                Arguments.of("positions_from_1", "tiny-gpt2", BaselineProperty.NAME, "tokens [0] (1 token)", "positions are off by one"),
                Arguments.of("bos_prepended", "tiny", BaselineProperty.NAME, "tokens [", "prepends token 0"),
                Arguments.of("sampling", "tiny", GenerationProperty.NAME, "tokens [0] (1 token)", "does not take the argmax"),
                Arguments.of("patch_noop", "tiny", EquivarianceProperty.NAME, "S = [0]",
                        "the runner's patch_heads has no effect: its logits equal the unpatched ones while editgate's z-patching of the same heads changes them by"),
                Arguments.of("patch_noop", "tiny-llama", EquivarianceProperty.NAME, "S = [0]", "the runner's patch_heads has no effect"));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("mutants")
    void caught(String mutant, String fixture, String property, String counterexample, String diagnosis) {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        long t = System.nanoTime();
        Harness.Result r = Harness.run(HarnessTestSupport.numpyRunner(mutant), Fixtures.named(fixture), HarnessSettings.defaults(1, 20251204), s -> { });
        double seconds = (System.nanoTime() - t) / 1e9;
        PropertyReport p = r.properties().stream().filter(x -> x.name().equals(property)).findFirst().orElseThrow();
        String all = HarnessTestSupport.summary(r);
        assertTrue(p.status() == PropertyReport.Status.FAILED, () -> mutant + " was not caught by " + property + ":\n" + all);
        assertNotNull(p.counterexample(), all);
        assertTrue(p.counterexample().shrunkCycles().contains(counterexample), () -> "counterexample " + p.counterexample().shrunkCycles() + "\n" + all);
        assertTrue(p.diagnosis().contains(diagnosis), () -> "diagnosis '" + p.diagnosis() + "' lacks '" + diagnosis + "'\n" + all);
        String others = r.properties().stream().filter(x -> x.status() == PropertyReport.Status.FAILED).map(PropertyReport::name)
                .filter(n -> !n.equals(property)).reduce((a, b) -> a + ", " + b).orElse("-");
        System.out.printf("| %s | %s | %s | %s | %s | %.1f s | also failed: %s |%n", mutant, fixture, property, p.counterexample().shrunkCycles(),
                p.diagnosis(), seconds, others);
    }
}
