package dev.editgate.gate.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.reports.model.PropertyReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The numpy reference runner (python/runners/numpy_runner.py) passes every harness property on every family's tiny
 * fixture; pythia-160m-shaped in fp32 with {@code -Deditgate.harnessShaped=true} (slow: a 160M-parameter numpy forward).
 */
class ReferenceRunnerPassesTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-sequential", "tiny-bf16", "tiny-llama", "tiny-mistral", "tiny-qwen2", "tiny-llama3", "tiny-gpt2"})
    void passesEveryProperty(String fixture) {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Path folder = Fixtures.named(fixture);
        int layer = Checkpoint.load(folder).config().numHiddenLayers() / 2;
        Harness.Result r = Harness.run(HarnessTestSupport.numpyRunner(null), folder, HarnessSettings.defaults(layer, 20251204), s -> { });
        assertEquals(4, r.properties().size(), () -> "every property runs on the reference runner:\n" + HarnessTestSupport.summary(r));
        assertTrue(r.passed(), () -> fixture + ":\n" + HarnessTestSupport.summary(r));
        assertTrue(r.properties().stream().allMatch(p -> p.tries() >= 1 && p.status() == PropertyReport.Status.PASSED));
    }

    /** Declaring float16 and computing in it (softmax and norms in float32, as HF) passes against the float16 tolerance. */
    @Test
    void passesInFloat16() {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Harness.Result r = Harness.run(HarnessTestSupport.numpyRunner(null, "--dtype", "float16"), Fixtures.named("tiny"),
                HarnessSettings.defaults(1, 5), s -> { });
        assertEquals("float16", r.dtype());
        assertTrue(r.passed(), () -> HarnessTestSupport.summary(r));
    }

    @Test
    void passesOnPythia160mShapedInFp32() {
        assumeTrue(Boolean.getBoolean("editgate.harnessShaped"), "slow; run with -Deditgate.harnessShaped=true");
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Path folder = Fixtures.named("pythia-160m-shaped");
        long t = System.nanoTime();
        Harness.Result r = Harness.run(HarnessTestSupport.numpyRunner(null), folder,
                new HarnessSettings(6, 20251204, 8, 3, 4, 2, 8, 4), s -> { });
        System.out.printf("pythia-160m-shaped fp32: %s in %.1f s, %d runner requests%n", r.passed() ? "PASS" : "FAIL", (System.nanoTime() - t) / 1e9, r.requests());
        assertTrue(r.passed(), () -> HarnessTestSupport.summary(r));
    }

    /** Different seeds, different generated inputs: the reference runner must never fail (a false alarm). */
    @Test
    void noFalseAlarmOverSeeds() {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        int seeds = Integer.getInteger("editgate.harnessSeeds", 2);
        List<String> fixtures = List.of("tiny", "tiny-llama", "tiny-qwen2", "tiny-gpt2");
        int runs = 0;
        for (int s = 0; s < seeds; s++) {
            String fixture = fixtures.get(s % fixtures.size());
            Path folder = Fixtures.named(fixture);
            long seed = 1000 + s;
            Harness.Result r = Harness.run(HarnessTestSupport.numpyRunner(null), folder, HarnessSettings.defaults(1, seed), x -> { });
            assertTrue(r.passed(), () -> "false alarm on " + fixture + " with seed " + seed + ":\n" + HarnessTestSupport.summary(r));
            runs++;
        }
        System.out.println("no false alarm over " + runs + " harness runs (seeds 1000.." + (1000 + seeds - 1) + ", fixtures " + fixtures + ")");
    }
}
