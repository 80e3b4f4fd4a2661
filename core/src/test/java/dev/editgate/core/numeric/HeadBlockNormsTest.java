package dev.editgate.core.numeric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.TestCheckpoints;
import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.DType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HeadBlockNormsTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32", "F16", "BF16"})
    void normsOfAPermutedCheckpointAreTheOriginalsPermutedBitForBit(DType dtype) {
        var c = TestCheckpoints.config(dtype);
        Checkpoint original = TestCheckpoints.random(c, dtype, 31);
        SplittableRandom rng = new SplittableRandom(1);
        for (String text : new String[] {"()", "(0 1)", "(0 1 2)", "(0 1 2)(3 4 5)", "[5,4,3,2,1,0]"}) {
            Permutation p = Permutation.parse(text, 6);
            int layer = rng.nextInt(2);
            HeadBlockNorms before = HeadBlockNorms.of(original, layer);
            HeadBlockNorms after = HeadBlockNorms.of(BuiltInHeadPermutation.INSTANCE.permuteHeads(original, layer, p), layer);
            assertThat(after).as(text).isEqualTo(before.permuted(p));
            double[][] a = after.all(), b = before.permuted(p).all();
            for (int k = 0; k < 7; k++) {
                for (int h = 0; h < 6; h++) {
                    assertThat(Double.doubleToRawLongBits(a[k][h])).as("%s %s head %d", text, after.labels().get(k), h)
                            .isEqualTo(Double.doubleToRawLongBits(b[k][h]));
                }
            }
            if (!p.isIdentity()) assertThat(after).isNotEqualTo(before);
        }
    }

    @Test
    void normsOfArangeLabelsMatchAHandComputation() {
        var c = TestCheckpoints.config(DType.F64); // 6 heads of 4, hidden 24
        HeadBlockNorms n = HeadBlockNorms.of(TestCheckpoints.labelled(c, DType.F64), 0);
        int hd = 4, hidden = 24;
        for (int h = 0; h < 6; h++) {
            for (int comp = 0; comp < 3; comp++) {
                double sw = 0, sb = 0;
                for (int d = 0; d < hd; d++) {
                    int row = h * 3 * hd + comp * hd + d;
                    sb += (double) row * row;
                    for (int col = 0; col < hidden; col++) sw += Math.pow(row * hidden + col, 2);
                }
                double[] w = n.get(new String[] {"q", "k", "v"}[comp]);
                double[] b = n.get(new String[] {"q bias", "k bias", "v bias"}[comp]);
                assertThat(w[h]).isCloseTo(Math.sqrt(sw), org.assertj.core.data.Offset.offset(1e-9 * Math.sqrt(sw)));
                assertThat(b[h]).isCloseTo(Math.sqrt(sb), org.assertj.core.data.Offset.offset(1e-12 * (1 + Math.sqrt(sb))));
            }
            double sd = 0;
            for (int r = 0; r < hidden; r++) for (int d = 0; d < hd; d++) sd += Math.pow(r * hidden + h * hd + d, 2);
            assertThat(n.get("dense")[h]).isCloseTo(Math.sqrt(sd), org.assertj.core.data.Offset.offset(1e-9 * Math.sqrt(sd)));
        }
        assertThat(n.heads()).isEqualTo(6);
    }

    @Test
    void rejectsBadArguments() {
        Checkpoint ck = TestCheckpoints.random(TestCheckpoints.config(DType.F32), DType.F32, 32);
        assertThatThrownBy(() -> HeadBlockNorms.of(ck, 2)).hasMessageContaining("layer 2 is out of range: the model has 2 layers");
        HeadBlockNorms n = HeadBlockNorms.of(ck, 0);
        assertThatThrownBy(() -> n.permuted(Permutation.identity(4))).hasMessageContaining("permutation of 4 points for 6 heads");
        assertThatThrownBy(() -> n.get("nope")).hasMessageContaining("no block set 'nope'");
        double[] q = n.get("q");
        q[0] = -1;
        assertThat(n.get("q")[0]).isNotEqualTo(-1); // defensive copies
    }

    /** The bulk, chunked reads give the bits of the plain definition: squares of getDouble added in row-major block order. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32", "F16", "BF16"})
    void bulkReadsGiveTheElementByElementSumBitForBit(DType dtype) {
        Checkpoint ck = TestCheckpoints.random(TestCheckpoints.config(dtype), dtype, 77);
        for (int layer = 0; layer < 2; layer++) {
            HeadBlockNorms n = HeadBlockNorms.of(ck, layer);
            var parts = ck.layout().heads(layer).parts();
            double[][] got = n.all();
            for (int p = 0; p < parts.size(); p++) {
                var s = parts.get(p);
                var t = ck.tensor(s.tensor());
                for (int i = 0; i < s.count(); i++) {
                    double sum = 0;
                    long cols = t.rank() == 2 ? t.shape()[1] : 1;
                    if (s.axis() == 0) {
                        for (long k = s.start(i) * cols; k < (s.start(i) + s.length()) * cols; k++) sum += t.getDouble(k) * t.getDouble(k);
                    } else {
                        for (long r = 0; r < t.shape()[0]; r++) {
                            for (int j = 0; j < s.length(); j++) sum += t.getDouble(r * cols + s.start(i) + j) * t.getDouble(r * cols + s.start(i) + j);
                        }
                    }
                    assertThat(Double.doubleToRawLongBits(got[p][i])).as("%s %s block %d", dtype, s.label(), i)
                            .isEqualTo(Double.doubleToRawLongBits(Math.sqrt(sum)));
                }
            }
        }
    }
}
