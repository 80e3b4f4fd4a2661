package dev.editgate.core.edit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.checkpoint.TestCheckpoints;
import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Arange-labelled proof of the layout: every QKV row, QKV bias entry and dense column carries its own flat
 * index, and each must land where the Hugging Face GPT-NeoX view puts it (GUIDE §2). The expected positions
 * are written here from that view, {@code qkv.view(heads, 3, hd, hidden)} and {@code dense.view(hidden, heads, hd)},
 * independently of {@link TensorBlocks}.
 */
class HeadPermutationLayoutTest {
    static final int HEADS = 6, HD = 4, HIDDEN = HEADS * HD, LAYER = 1;

    static Stream<Arguments> cases() {
        String[] perms = {"(0 1)", "(0 1 2)", "(0 2 1)", "(3 4 5)", "(0 1 2)(3 4 5)", "(1 5 3)", "(0 5)(1 4)(2 3)",
                "(0 1 2 3 4 5)", "[5,4,3,2,1,0]", "[2,0,1,5,3,4]"};
        return Stream.of(DType.F32, DType.F16, DType.F64)
                .flatMap(d -> Stream.of(perms).map(p -> Arguments.of(d, p)));
    }

    /** Flat label of original QKV element (head, component, d, col) in HF's [heads, 3, hd, hidden] view. */
    static int qkvLabel(int head, int comp, int d, int col) {
        return ((head * 3 + comp) * HD + d) * HIDDEN + col;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyRowAndColumnLandsWhereTheHfViewPutsIt(DType dtype, String permText) {
        GptNeoxConfig c = TestCheckpoints.config(2, HEADS, HD, dtype);
        Checkpoint original = TestCheckpoints.labelled(c, dtype);
        Permutation pi = Permutation.parse(permText, HEADS);
        Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, LAYER, pi);

        double[] w = edited.tensor(GptNeoxNames.qkvWeight(LAYER)).toDoubleArray();
        double[] b = edited.tensor(GptNeoxNames.qkvBias(LAYER)).toDoubleArray();
        double[] dense = edited.tensor(GptNeoxNames.denseWeight(LAYER)).toDoubleArray();
        for (int newHead = 0; newHead < HEADS; newHead++) {
            int oldHead = pi.apply(newHead); // new head i = old head π(i)
            for (int comp = 0; comp < 3; comp++) {
                for (int d = 0; d < HD; d++) {
                    // HF: q = qkv.view(B,T,heads,3*hd)[..., :hd], k = [..., hd:2hd], v = [..., 2hd:]
                    int newRow = newHead * 3 * HD + comp * HD + d;
                    for (int col = 0; col < HIDDEN; col++) {
                        assertThat(w[newRow * HIDDEN + col])
                                .as("%s qkv.weight row %d col %d (new head %d, %s, dim %d)", permText, newRow, col, newHead, "qkv".charAt(comp), d)
                                .isEqualTo(qkvLabel(oldHead, comp, d, col));
                    }
                    assertThat(b[newRow]).as("%s qkv.bias entry %d", permText, newRow)
                            .isEqualTo((oldHead * 3 + comp) * HD + d);
                }
            }
            // heads merged as [.., heads, hd] -> [.., hidden]: head h owns columns h*hd..h*hd+hd-1 of dense.weight
            for (int row = 0; row < HIDDEN; row++) {
                for (int d = 0; d < HD; d++) {
                    int newCol = newHead * HD + d;
                    assertThat(dense[row * HIDDEN + newCol]).as("%s dense.weight row %d col %d", permText, row, newCol)
                            .isEqualTo(row * HIDDEN + oldHead * HD + d);
                }
            }
        }
        // dense.bias and every tensor outside the layer: the same object, untouched
        for (String name : original.names()) {
            if (!BuiltInHeadPermutation.touchedTensors(original, LAYER).contains(name)) {
                assertThat(edited.tensor(name)).as(name).isSameAs(original.tensor(name));
            }
        }
    }

    /** The seed's view(3, heads, hd, hidden) puts different rows there: the labelled test tells them apart. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void theSeedsWrongViewWouldFailThisTest(DType dtype, String permText) {
        if (dtype != DType.F32) return;
        Permutation pi = Permutation.parse(permText, HEADS);
        int mismatches = 0;
        for (int newHead = 0; newHead < HEADS; newHead++) {
            for (int comp = 0; comp < 3; comp++) {
                for (int d = 0; d < HD; d++) {
                    int newRow = newHead * 3 * HD + comp * HD + d;
                    // wrong: rows read as [3, heads, hd]: row r is (comp r/(heads*hd), head (r/hd)%heads, d r%hd)
                    int wrongComp = newRow / (HEADS * HD), wrongHead = (newRow / HD) % HEADS;
                    int wrongSourceRow = wrongComp * HEADS * HD + pi.apply(wrongHead) * HD + d;
                    if (wrongSourceRow * HIDDEN != qkvLabel(pi.apply(newHead), comp, d, 0)) mismatches++;
                }
            }
        }
        assertThat(mismatches).isPositive();
    }
}
