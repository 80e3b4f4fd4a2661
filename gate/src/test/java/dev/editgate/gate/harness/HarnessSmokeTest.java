package dev.editgate.gate.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.editgate.fixtures.Fixtures;
import org.junit.jupiter.api.Test;

class HarnessSmokeTest {
    @Test
    void referenceRunnerPassesOnTiny() {
        assumeTrue(HarnessTestSupport.pythonAvailable());
        for (String m : new String[] {null, "slice_patching", "wrong_layer", "no_causal_mask", "bos_prepended", "half_softmax", "sampling"}) {
            long t = System.nanoTime();
            Harness.Result r = Harness.run(HarnessTestSupport.numpyRunner(m), Fixtures.named("tiny"), HarnessSettings.defaults(1, 42), s -> { });
            System.out.println("=== " + m + " " + (System.nanoTime() - t) / 1e9 + " s\n" + HarnessTestSupport.summary(r));
        }
    }
}
