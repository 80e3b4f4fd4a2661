package dev.editgate.properties;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.structure.BitExactComparison;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import dev.editgate.core.structure.Locality;
import dev.editgate.properties.junit.ForAll;
import dev.editgate.properties.junit.Heads;
import dev.editgate.properties.junit.Property;
import java.util.Set;

/**
 * The first property suite: the built-in GPT-NeoX head permutation on the tiny fixture (6 heads,
 * 2 layers) in F32, F16 and BF16. Convention: new head i = old head π(i); applying π then σ equals
 * applying {@code π.andThen(σ)}.
 */
class HeadPermutationPropertiesTest {
    private static final BuiltInHeadPermutation EDIT = BuiltInHeadPermutation.INSTANCE;

    Gen<EditTarget> targets() {
        return EditTarget.gen();
    }

    private static Checkpoint permute(EditTarget target, Checkpoint checkpoint, Permutation p) {
        return EDIT.permuteHeads(checkpoint, target.layer(), p);
    }

    private static void assertBitExact(Checkpoint expected, Checkpoint actual, String what) {
        BitExactComparison.Result result = BitExactComparison.compare(expected.tensors(), actual.tensors());
        assertThat(result.differences()).as("%s: expected every tensor bit-identical, but these differ", what).isEmpty();
    }

    @Property
    void identityIsABitExactNoOp(@ForAll("targets") EditTarget target) {
        Checkpoint original = target.checkpoint();
        assertBitExact(original, permute(target, original, Permutation.identity(EditTarget.HEADS)), "identity on " + target);
    }

    @Property
    void permuteThenInverseRestoresEveryTensor(@ForAll("targets") EditTarget target, @ForAll @Heads(6) Permutation p) {
        Checkpoint original = target.checkpoint();
        Checkpoint restored = permute(target, permute(target, original, p), p.inverse());
        assertBitExact(original, restored, p.toCycleString() + " then its inverse on " + target);
    }

    @Property
    void applyingPiThenSigmaEqualsApplyingPiAndThenSigma(@ForAll("targets") EditTarget target,
                                                         @ForAll @Heads(6) Permutation pi, @ForAll @Heads(6) Permutation sigma) {
        Checkpoint original = target.checkpoint();
        Checkpoint stepwise = permute(target, permute(target, original, pi), sigma);
        Checkpoint composed = permute(target, original, pi.andThen(sigma));
        assertBitExact(stepwise, composed, "π then σ vs π.andThen(σ) = " + pi.andThen(sigma).toCycleString() + " on " + target);
    }

    @Property
    void onlyTheThreeAttentionTensorsOfTheEditedLayerChange(@ForAll("targets") EditTarget target, @ForAll @Heads(6) Permutation p) {
        Checkpoint original = target.checkpoint();
        Set<String> touched = BuiltInHeadPermutation.touchedTensors(original, target.layer());
        Locality.Result locality = Locality.check(original, permute(target, original, p), touched);
        assertThat(locality.violations()).as("tensors outside %s changed by %s on %s", touched, p.toCycleString(), target).isEmpty();
        assertThat(locality.changed()).as("changed tensors for %s on %s", p.toCycleString(), target)
                .isEqualTo(p.isIdentity() ? Set.of() : touched);
    }

    @Property
    void everyHeadBlockComesFromOldHeadPiOfI(@ForAll("targets") EditTarget target, @ForAll @Heads(6) Permutation p) {
        Checkpoint original = target.checkpoint();
        HeadBlockCorrespondence blocks = HeadBlockCorrespondence.compute(original, permute(target, original, p), target.layer());
        assertThat(blocks.consistentWith(p)).as("q, k, v, bias and dense blocks of new head i come from old head π(i) for %s on %s",
                p.toCycleString(), target).isTrue();
        assertThat(blocks.impliedPermutation()).contains(p);
    }
}
