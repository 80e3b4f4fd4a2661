package dev.editgate.gate.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.tolerance.LogitComparison;
import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.gate.kind.EditKinds;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The neuron-ablation probe tells the right correspondence (old p[i] = new i) from the wrong one (the same indices). */
class NeuronAblationProbeTest {

    @Test
    void ablatingTheNeuronsTheEditMovedMatchesOnlyUnderTheRightCorrespondence() {
        Checkpoint ck = Checkpoint.load(Fixtures.materialize(FixtureSpec.tinyGpt2()));
        int layer = 1, ff = ck.config().intermediateSize();
        int[] image = new int[ff];
        for (int i = 0; i < ff; i++) image[i] = i;
        image[0] = 5;
        image[5] = 9;
        image[9] = 0;                                              // new 0 = old 5, new 5 = old 9, new 9 = old 0
        Permutation p = Permutation.of(image);
        Checkpoint edited = EditKinds.MLP_PERMUTATION.builtIn().edit(ck, layer, p);
        assertThat(NeuronAblationProbe.half(p)).containsExactly(0, 5);
        Set<Integer> old = Set.of(0, 5), right = Set.of(9, 0), wrong = Set.of(0, 5);   // p[9] = 0, p[0] = 5
        int[][] tokens = {{11, 42, 7, 99, 3, 250, 17}};
        try (TransformerForward a = TransformerForward.load(NeuronAblationProbe.ablate(ck, layer, old), ComputeDtype.FLOAT32, "cpu");
             TransformerForward b = TransformerForward.load(NeuronAblationProbe.ablate(edited, layer, right), ComputeDtype.FLOAT32, "cpu");
             TransformerForward c = TransformerForward.load(NeuronAblationProbe.ablate(edited, layer, wrong), ComputeDtype.FLOAT32, "cpu");
             TransformerForward o = TransformerForward.load(ck, ComputeDtype.FLOAT32, "cpu")) {
            Logits la = a.logits(tokens);
            double effect = LogitComparison.compare(o.logits(tokens), la, ComputeDtype.FLOAT32).maxAbs();
            double same = LogitComparison.compare(la, b.logits(tokens), ComputeDtype.FLOAT32).maxAbs();
            double differ = LogitComparison.compare(la, c.logits(tokens), ComputeDtype.FLOAT32).maxAbs();
            assertThat(effect).as("ablating two neurons changes the logits").isGreaterThan(1e-3);
            assertThat(same).as("right correspondence").isLessThan(1e-5);
            assertThat(differ).as("wrong correspondence").isGreaterThan(1e-3);
        }
    }
}
