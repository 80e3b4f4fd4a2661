package dev.editgate.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.kind.EditKinds;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptGroupsTest {

    @Test
    void oneGroupWhenAskedForOneOrWithOnePrompt() {
        assertThat(PromptGroups.split(new int[] {5, 7, 9}, 1)).isDeepEqualTo(new int[][] {{0, 1, 2}});
        assertThat(PromptGroups.split(new int[] {5}, 2)).isDeepEqualTo(new int[][] {{0}});
    }

    @Test
    void theGatesFivePromptsSplitIntoTheCheapestPair() {
        // padded + real positions: {30, 30} costs 2*30 + 60 = 120, {23, 29, 21} 3*29 + 73 = 160; every other split is dearer
        assertThat(PromptGroups.split(new int[] {23, 29, 21, 30, 30}, 2)).isDeepEqualTo(new int[][] {{3, 4}, {0, 1, 2}});
    }

    @Test
    void manyPromptsAreEachInExactlyOneOfTwoBalancedGroups() {
        Random r = new Random(3);
        for (int round = 0; round < 20; round++) {
            int[] lengths = r.ints(2 + r.nextInt(30), 1, 200).toArray();
            int[][] g = PromptGroups.split(lengths, 2);
            assertThat(g).hasNumberOfRows(2);
            assertThat(g[0]).isNotEmpty().isSorted();
            assertThat(g[1]).isNotEmpty().isSorted();
            int[] all = IntStream.concat(Arrays.stream(g[0]), Arrays.stream(g[1])).sorted().toArray();
            assertThat(all).isEqualTo(IntStream.range(0, lengths.length).toArray());
            // neither group costs more than one batch of all prompts would
            assertThat(Math.max(cost(lengths, g[0]), cost(lengths, g[1]))).isLessThanOrEqualTo(cost(lengths, all));
        }
    }

    /**
     * The logits of two padded batches on two threads come back in prompt order, each as long as its prompt and equal
     * (within fp32 rounding of the padding) to the prompt run alone, on the original and on an edited view.
     */
    @Test
    void twoBatchesGiveEveryPromptItsOwnLogitsInOrder(@TempDir Path tmp) {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "two prompt batches need two cores");
        Path folder = Fixtures.materialize(FixtureSpec.named("tiny"));
        var config = GateTestSupport.config(tmp.resolve("report"), 1L, 5, Map.of(GateKey.MODEL, folder.toString()));
        Checkpoint original = Checkpoint.load(folder);
        List<String> prompts = List.of("The decimal 9.8 is", "a", "One two three four five six seven eight", "Hello there", "x y z");
        try (GateSession s = new GateSession(config, folder, original, 1, EditKinds.HEAD_PERMUTATION,
                (ck, l, p) -> BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, l, p), "test", prompts, GateListener.NONE, null)) {
            ForwardRuntime rt = s.forward();
            assertThat(rt.promptGroups()).isEqualTo(2);
            assertEachPromptAlone(rt, rt.original(), prompts.size());
            Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 1, Permutation.parse("(0 2 1)(3 5)", 6));
            try (TransformerForward view = rt.original().withLayerReplaced(1, edited)) {
                assertEachPromptAlone(rt, view, prompts.size());
            }
        }
    }

    private static void assertEachPromptAlone(ForwardRuntime rt, TransformerForward model, int prompts) {
        List<Logits> together = rt.logitsOfEachFrom(model, 1);
        assertThat(together).hasSize(prompts);
        for (int i = 0; i < prompts; i++) {
            Logits alone = model.logitsFrom(1, rt.residuals(i));
            assertThat(together.get(i).seq()).as("prompt %d", i).isEqualTo(rt.tokens(i)[0].length);
            for (int k = 0; k < alone.values().length; k++) {
                assertThat(together.get(i).values()[k]).as("prompt %d logit %d", i, k)
                        .isCloseTo(alone.values()[k], Offset.offset(1e-4 * (1 + Math.abs(alone.values()[k]))));
            }
        }
    }

    private static long cost(int[] lengths, int[] group) {
        long longest = Arrays.stream(group).map(i -> lengths[i]).max().orElse(0);
        long real = Arrays.stream(group).mapToLong(i -> lengths[i]).sum();
        return group.length * longest + real;
    }
}
