package dev.editgate.gate.kind;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.Exponents;
import dev.editgate.core.edit.Gather;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.model.TensorRole;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.properties.Property;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generic diagnosis hypotheses, and the scaling generator's promise to stay inside the safe exponent ranges. */
class KindDiagnosisTest {

    @Test
    void aReadingWeightGatheredOnItsOutputAxisIsDiagnosedAsTheWrongAxis() {
        Checkpoint ck = Checkpoint.load(Fixtures.materialize(FixtureSpec.tinyLlama()));   // q_proj [64, 64]: both axes fit
        int[] image = Gather.identity(ck.config().hiddenSize());
        image[0] = 1;
        image[1] = 2;
        image[2] = 0;
        Permutation pi = Permutation.of(image);
        Checkpoint good = EditKinds.RESIDUAL_PERMUTATION.reference(ck, -1, pi);
        String q = ck.layout().name(TensorRole.Q_WEIGHT, 0);
        Tensor wrong = Gather.rows(ck.tensor(q), image);                        // the input axis is columns for a Linear [out, in]
        Checkpoint edited = good.withTensors(Map.of(q, wrong));
        var findings = EditKinds.RESIDUAL_PERMUTATION.diagnose(ck, edited, -1, pi);
        assertThat(findings).singleElement().asString()
                .isEqualTo("q weight 0 (model.layers.0.self_attn.q_proj.weight) was edited along axis 0 (rows) instead of axis 1 (columns):"
                        + " the wrong axis of the tensor");
    }

    @Test
    void theScalingGeneratorStaysInsideEachGroupsSafeRangeAndKeepsGroupsEqual() {
        Checkpoint ck = Checkpoint.load(Fixtures.materialize(FixtureSpec.tiny(dev.editgate.core.safetensors.DType.F16)));
        int[][] ranges = EditKinds.QK_SCALING.safeRanges(ck, 1);
        for (int[] r : ranges) assertThat(r[0]).as("0 is always safe").isLessThanOrEqualTo(0);
        System.out.println("qk-scaling safe ranges on tiny-fp16 layer 1: " + java.util.Arrays.deepToString(ranges));
        for (String f : new String[] {"tiny", "tiny-bf16", "tiny-llama"}) {
            Checkpoint c = Checkpoint.load(Fixtures.named(f));
            System.out.println("qk " + f + ": " + java.util.Arrays.deepToString(EditKinds.QK_SCALING.safeRanges(c, 1))
                    + " vo: " + java.util.Arrays.deepToString(EditKinds.VO_SCALING.safeRanges(c, 1)));
        }
        if (Boolean.getBoolean("editgate.kindShaped")) {
            Checkpoint c = Checkpoint.load(Fixtures.named("pythia-160m-shaped"));
            System.out.println("qk pythia-160m-shaped: " + java.util.Arrays.deepToString(EditKinds.QK_SCALING.safeRanges(c, 6))
                    + " vo: " + java.util.Arrays.deepToString(EditKinds.VO_SCALING.safeRanges(c, 6)));
        }
        Property.forAll("qk exponents are safe", EditKinds.QK_SCALING.generator(ck, 1)).tries(200).seed(3)
                .database(dev.editgate.properties.FailureDatabase.none())
                .check((Exponents e) -> {
                    for (int h = 0; h < e.size(); h++) {
                        int slot = h / ck.config().groupSize();
                        assertThat(e.get(h)).isBetween(Math.max(ranges[slot][0], -ScalingKind.MAX_EXPONENT), Math.min(ranges[slot][1], ScalingKind.MAX_EXPONENT));
                    }
                }).assertPassed();
    }
}
