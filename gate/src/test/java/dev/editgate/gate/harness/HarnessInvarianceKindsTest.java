package dev.editgate.gate.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.runner.RunnerProcess;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.reports.model.PropertyReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The invariance property under every edit kind ({@code --edit-kind}): the reference runner passes it for every kind
 * that applies to the family, a kind that does not apply is refused naming the flag, and a runner that depends on
 * the order of KV groups (the {@code gqa_tile} mutant) fails it under KV-group permutations and qk-scalings too.
 */
class HarnessInvarianceKindsTest {
    /** Few tries per kind: the point is that every kind's reference edit is written, loaded and judged. */
    private static final int TRIES = 3;

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-llama", "tiny-gpt2"})
    void referenceRunnerIsInvariantUnderEveryApplicableKind(String fixture) {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        Path folder = Fixtures.named(fixture);
        Checkpoint original = Checkpoint.load(folder);
        int layer = original.config().numHiddenLayers() / 2;
        HarnessSettings settings = new HarnessSettings(layer, 20251204, 1, TRIES, 1, 1, 12, 1);
        List<String> rows = new ArrayList<>();
        int judged = 0;
        try (TransformerForward reference = TransformerForward.load(original, ComputeDtype.FLOAT64, "cpu");
             RunnerProcess runner = RunnerProcess.start(HarnessTestSupport.numpyRunner(null), folder)) {
            HarnessContext c = new HarnessContext(runner, original, reference, settings);
            for (EditKind<?> kind : EditKinds.all()) {
                try {
                    InvarianceProperty.requireApplicable(kind, original, layer);
                } catch (IllegalArgumentException e) {
                    assertTrue(e.getMessage().startsWith("--edit-kind " + kind.name()), e.getMessage());
                    rows.add(kind.name() + ": does not apply (" + e.getMessage() + ")");
                    continue;
                }
                long t = System.nanoTime();
                PropertyReport p = Harness.invariance(c, kind, s -> { });
                double seconds = (System.nanoTime() - t) / 1e9;
                assertEquals(InvarianceProperty.name(kind), p.name());
                assertTrue(p.status() == PropertyReport.Status.PASSED,
                        () -> fixture + " " + kind.name() + ": " + p.failureMessage());
                assertEquals(TRIES, p.tries(), kind.name());
                rows.add(String.format("%s: PASSED, %d tries, %.2f s", kind.name(), p.tries(), seconds));
                judged++;
            }
        }
        System.out.println("invariance of the reference runner on " + fixture + ":\n  " + String.join("\n  ", rows));
        assertTrue(judged >= 5, () -> "most kinds apply to " + fixture + ": " + rows);
    }

    @Test
    void headPermutationIsTheDefaultAndKeepsItsName() {
        HarnessSettings d = HarnessSettings.defaults(1, 7);
        assertEquals(EditKinds.HEAD_PERMUTATION, d.editKind());
        assertEquals(EditKinds.HEAD_PERMUTATION, d.withTries(40).editKind());
        assertEquals(EditKinds.MLP_PERMUTATION, d.withEditKind(EditKinds.MLP_PERMUTATION).withTries(40).editKind());
        assertEquals("invariance under head permutations", InvarianceProperty.name(EditKinds.HEAD_PERMUTATION));
        assertEquals("invariance under mlp-permutation", InvarianceProperty.name(EditKinds.MLP_PERMUTATION));
    }

    /** up-down-scaling needs a gated (SwiGLU) MLP; GPT-NeoX has none: refused before the runner starts, naming the flag. */
    @Test
    void aKindThatDoesNotApplyIsRefusedNamingTheFlag() {
        HarnessSettings settings = HarnessSettings.defaults(1, 7).withEditKind(EditKinds.UP_DOWN_SCALING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Harness.run(
                HarnessTestSupport.numpyRunner(null), Fixtures.named("tiny"), settings, s -> { }));
        assertTrue(e.getMessage().startsWith("--edit-kind up-down-scaling does not apply to this model: "), e.getMessage());
    }

    /**
     * gqa_tile (query head h reads KV head h % kv instead of h // g) is not invariant when KV groups move or are scaled
     * apart; the whole harness run reports the kind's invariance as failed and says equivariance used head permutations.
     */
    @ParameterizedTest
    @ValueSource(strings = {"kv-group-permutation", "qk-scaling"})
    void gqaTileBreaksInvarianceUnderAKind(String kindName) {
        assumeTrue(HarnessTestSupport.pythonAvailable(), "python3 with numpy is not available");
        EditKind<?> kind = EditKinds.named(kindName);
        long t = System.nanoTime();
        Harness.Result r = Harness.run(HarnessTestSupport.numpyRunner("gqa_tile"), Fixtures.named("tiny-llama"),
                HarnessSettings.defaults(1, 20251204).withEditKind(kind), s -> { });
        double seconds = (System.nanoTime() - t) / 1e9;
        String all = HarnessTestSupport.summary(r);
        PropertyReport p = r.properties().stream().filter(x -> x.name().equals("invariance under " + kindName)).findFirst()
                .orElseThrow(() -> new AssertionError("no invariance under " + kindName + ":\n" + all));
        assertTrue(p.status() == PropertyReport.Status.FAILED, () -> "gqa_tile passed invariance under " + kindName + ":\n" + all);
        assertNotNull(p.counterexample(), all);
        assertTrue(p.failureMessage().contains("the runner's logits on the model edited by " + kindName + " at layer 1 differ"), all);
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("--edit-kind " + kindName) && n.contains("uses head permutations")), all);
        System.out.printf("| gqa_tile | tiny-llama | invariance under %s | %s | %.1f s |%n", kindName, p.counterexample().shrunkCycles(), seconds);
    }
}
