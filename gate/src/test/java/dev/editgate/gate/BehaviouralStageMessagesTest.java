package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.edit.Permutation;
import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.fixtures.mutants.Mutant;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.gate.stage.BehaviouralStage;
import dev.editgate.gate.stage.GateProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behavioural stage's three head-permutation properties, run directly on one permutation (no earlier stage to
 * stop a mutant first) on tiny fixtures of every layout: the correct edit passes all three; an edit that is
 * consistent but in the other convention keeps the function (decimal probe and slices pass) and fails equivariance
 * on the even heads; the seed's layout bug fails all three. Each failure says what the gate has always said.
 */
class BehaviouralStageMessagesTest {
    /** Twice this is the probes' tolerance: two fp32 models that each match float64 to ~1e-6 agree well within it. */
    static final double FUNCTIONAL_TOLERANCE = 5e-5;

    static Stream<Arguments> cases() {
        HeadPermutationEdit correct = BuiltInHeadPermutation.INSTANCE;
        String pass = null;
        String equivariance = "^even heads \\[0(, [0-9]+)*\\]: ablating them in the original vs \\[[0-9, ]+\\] in the edited model differs by "
                + "[0-9.e+-]+ in the logits and [0-9.e+-]+ in the patched logit difference \\(tolerance 0\\.000100\\)$";
        String decimal = "^prompt \"Which is bigger: 9\\.8 or 9\\.11\\?\": numbers differ by [0-9.e+-]+ \\(tolerance 0\\.000100\\); "
                + "generation diverges at step -?[0-9]+: original \".*\", edited \".*\"$";
        String slices = "^post-dense slices changed by up to [0-9.E-]+ \\(tolerance 1\\.0E-4\\)$";
        return Stream.of(
                Arguments.of("tiny", correct, "(0 2 1)", pass, pass, pass),
                Arguments.of("tiny-llama", correct, "(0 3)(1 2)", pass, pass, pass),
                Arguments.of("tiny-gpt2", correct, "(0 1 2)", pass, pass, pass),
                Arguments.of("tiny", Mutant.SCATTER_CONVENTION.edit(), "(0 1 2)", pass, equivariance, pass),
                Arguments.of("tiny-llama", Mutant.SCATTER_CONVENTION.edit(), "(0 1 2)", pass, equivariance, pass),
                Arguments.of("tiny-gpt2", Mutant.SCATTER_CONVENTION.edit(), "(0 1 2)", pass, equivariance, pass),
                Arguments.of("tiny", Mutant.SEED_COMPONENT_MAJOR_QKV.edit(), "(0 1)", decimal, equivariance, slices));
    }

    @ParameterizedTest(name = "{0} {2} {1}")
    @MethodSource("cases")
    void eachPropertyPassesOrFailsWithItsMessage(String fixture, HeadPermutationEdit edit, String perm, String decimal,
                                                 String equivariance, String slices, @TempDir Path tmp) {
        Path folder = Fixtures.materialize(FixtureSpec.named(fixture));
        var config = GateTestSupport.config(tmp.resolve("report"), 1L, 20, Map.of(GateKey.MODEL, folder.toString()));
        Checkpoint original = Checkpoint.load(folder);
        int layer = 1;
        try (GateSession s = new GateSession(config, folder, original, layer, EditKinds.HEAD_PERMUTATION,
                (ck, l, p) -> edit.permuteHeads(ck, l, p), "test", PromptSet.load(config.prompts()), GateListener.NONE, null)) {
            s.setFunctionalTolerance(FUNCTIONAL_TOLERANCE);
            List<GateProperty<?>> props = new BehaviouralStage().properties(s);
            assertThat(props).extracting(GateProperty::name).containsExactly("decimal probe agrees with the original",
                    "head effects follow the weights (equivariance)", "post-projection slices are blind to head permutations");
            Permutation p = Permutation.parse(perm, original.config().numAttentionHeads());
            List<String> expected = new ArrayList<>();
            expected.add(decimal);
            expected.add(equivariance);
            expected.add(slices);
            for (int i = 0; i < props.size(); i++) {
                String message = failure(props.get(i), p);
                System.out.printf("%s %s %s: %s%n", fixture, perm, props.get(i).name(), message);
                if (expected.get(i) == null) assertThat(message).as(props.get(i).name()).isNull();
                else assertThat(message).as(props.get(i).name()).isNotNull().containsPattern(expected.get(i));
            }
        }
    }

    @SuppressWarnings("unchecked")
    static String failure(GateProperty<?> property, Permutation p) {
        try {
            ((GateProperty<Permutation>) property).body().check(p);
            return null;
        } catch (AssertionError e) {
            return e.getMessage();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
