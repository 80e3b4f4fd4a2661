package dev.editgate.core.structure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.checkpoint.TestCheckpoints;
import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.edit.TensorBlocks;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StructureTest {
    final GptNeoxConfig c = TestCheckpoints.config(DType.F32);
    final Checkpoint original = TestCheckpoints.random(c, DType.F32, 21);

    /** The seed's bug: QKV rows read as [3, heads, hd] and that head axis permuted; dense permuted correctly. */
    static Checkpoint seedsWrongPermutation(Checkpoint ck, int layer, Permutation p) {
        var c = ck.config();
        int heads = c.numAttentionHeads(), hd = c.headDim(), hidden = c.hiddenSize();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : new String[] {GptNeoxNames.qkvWeight(layer), GptNeoxNames.qkvBias(layer)}) {
            Tensor t = ck.tensor(name);
            int rowBytes = t.rank() == 2 ? hidden * 4 : 4;
            ByteBuffer src = t.data(), dst = ByteBuffer.allocateDirect((int) t.byteSize());
            for (int comp = 0; comp < 3; comp++) {
                for (int h = 0; h < heads; h++) {
                    int to = (comp * heads + h) * hd * rowBytes, from = (comp * heads + p.apply(h)) * hd * rowBytes;
                    dst.put(to, src, from, hd * rowBytes);
                }
            }
            out.put(name, new Tensor(name, t.dtype(), t.shape(), dst));
        }
        out.put(GptNeoxNames.denseWeight(layer), TensorBlocks.permuteColumnBlocks(ck.tensor(GptNeoxNames.denseWeight(layer)), heads, p));
        return ck.withTensors(out);
    }

    static int[] sources(HeadBlockCorrespondence hb, int part) {
        return java.util.stream.IntStream.range(0, 6).map(i -> hb.source(part, i)).toArray();
    }

    @Test
    void correspondenceOfTheCorrectEditIsThePermutation() {
        Permutation p = Permutation.parse("(0 3 5)(1 2)", 6);
        Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 0, p);
        HeadBlockCorrespondence hb = HeadBlockCorrespondence.compute(original, edited, 0);
        // GPT-NeoX's view: parts q, k, v, q bias, k bias, v bias, dense; block i of part c has id c*6 + i
        for (int i = 0; i < 6; i++) {
            for (int comp = 0; comp < 7; comp++) assertThat(hb.source(comp, i)).isEqualTo(hb.id(comp, p.apply(i)));
        }
        assertThat(hb.consistentWith(p)).isTrue();
        assertThat(hb.consistentWith(p.inverse())).isFalse();
        assertThat(hb.impliedPermutation()).contains(p);
        assertThat(hb.layer()).isZero();
        assertThat(hb.heads()).isEqualTo(6);
    }

    @Test
    void theSeedsLayoutIsExplainedBlockByBlock() {
        Permutation p = Permutation.parse("(0 1)", 6);
        Checkpoint wrong = seedsWrongPermutation(original, 1, p);
        HeadBlockCorrespondence hb = HeadBlockCorrespondence.compute(original, wrong, 1);
        assertThat(hb.consistentWith(p)).isFalse();
        assertThat(hb.impliedPermutation()).isEmpty();
        assertThat(sources(hb, 6)).containsExactly(hb.id(6, 1), hb.id(6, 0), hb.id(6, 2), hb.id(6, 3), hb.id(6, 4), hb.id(6, 5));
        // the wrong view moves whole hd-row blocks, but across components: some new q is an old k or v
        long crossed = java.util.stream.IntStream.range(0, 3).flatMap(c -> java.util.stream.IntStream.range(0, 6)
                .filter(i -> hb.source(c, i) >= 0 && hb.source(c, i) / 6 != c)).count();
        assertThat(crossed).isPositive();
        // with (0 1): the seed's new head 0 q (rows 0..3) is the correct layout's rows 4..7 = old head 0's k
        assertThat(hb.source(0, 0)).isEqualTo(hb.id(1, 0));
        assertThat(hb.describeOriginal(-1, true)).isEqualTo("no original block");
        assertThat(hb.describeOriginal(hb.id(1, 3), true)).isEqualTo("old head 3 k");
        assertThat(hb.mismatches(p)).anyMatch(l -> l.startsWith("query_key_value.weight q of head 0 should be old head 1 q, is old head 0 k"));
        // QKV permuted but dense not: also caught
        Map<String, Tensor> qkvOnly = new LinkedHashMap<>();
        Checkpoint right = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 1, p);
        qkvOnly.put(GptNeoxNames.qkvWeight(1), right.tensor(GptNeoxNames.qkvWeight(1)));
        qkvOnly.put(GptNeoxNames.qkvBias(1), right.tensor(GptNeoxNames.qkvBias(1)));
        HeadBlockCorrespondence half = HeadBlockCorrespondence.compute(original, original.withTensors(qkvOnly), 1);
        assertThat(half.consistentWith(p)).isFalse();
        assertThat(half.impliedPermutation()).isEmpty();
        assertThat(sources(half, 6)).containsExactly(hb.id(6, 0), hb.id(6, 1), hb.id(6, 2), hb.id(6, 3), hb.id(6, 4), hb.id(6, 5));
        assertThat(half.mismatches(p)).contains("dense.weight columns of head 0 should be original head 1, are original head 0");
    }

    /** Pythia's step0 checkpoints have all-zero biases: identical blocks must not make a correct edit look wrong. */
    @Test
    void identicalOriginalBlocksDoNotFailACorrectEdit() {
        Tensor bias = original.tensor(GptNeoxNames.qkvBias(0));
        Checkpoint zeroBias = original.withTensors(Map.of(bias.name(), Tensor.of(bias.name(), DType.F32, bias.shape(), new double[72])));
        Permutation p = Permutation.parse("(0 1 2)(4 5)", 6);
        Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(zeroBias, 0, p);
        HeadBlockCorrespondence hb = HeadBlockCorrespondence.compute(zeroBias, edited, 0);
        for (int c = 3; c < 6; c++) {
            for (int i = 0; i < 6; i++) {
                assertThat(hb.source(c, i)).isEqualTo(hb.id(3, 0));          // every zero block equals the first one
                assertThat(hb.classOf(hb.id(c, i))).isEqualTo(hb.id(3, 0));
            }
        }
        assertThat(hb.consistentWith(p)).isTrue();
        assertThat(hb.impliedPermutation()).contains(p);
        assertThat(hb.consistentWith(Permutation.parse("(0 1)", 6))).isFalse(); // weights still tell them apart
    }

    @Test
    void bitExactComparisonNamesEveryKindOfDifference() {
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        a.put("same", Tensor.of("same", DType.F32, new long[] {2}, new double[] {1, 2}));
        b.put("same", Tensor.of("same", DType.F32, new long[] {2}, new double[] {1, 2}));
        a.put("onlyA", Tensor.of("onlyA", DType.F32, new long[] {1}, new double[] {1}));
        b.put("onlyB", Tensor.of("onlyB", DType.F32, new long[] {1}, new double[] {1}));
        a.put("dtype", Tensor.of("dtype", DType.F32, new long[] {1}, new double[] {1}));
        b.put("dtype", Tensor.of("dtype", DType.F16, new long[] {1}, new double[] {1}));
        a.put("shape", Tensor.of("shape", DType.F32, new long[] {2}, new double[] {1, 2}));
        b.put("shape", Tensor.of("shape", DType.F32, new long[] {1, 2}, new double[] {1, 2}));
        a.put("vals", Tensor.of("vals", DType.F32, new long[] {4}, new double[] {1, 2, 3, 4}));
        b.put("vals", Tensor.of("vals", DType.F32, new long[] {4}, new double[] {1, 5, 3, 6}));
        a.put("negzero", Tensor.of("negzero", DType.F32, new long[] {1}, new double[] {0.0}));
        b.put("negzero", Tensor.of("negzero", DType.F32, new long[] {1}, new double[] {-0.0}));
        BitExactComparison.Result r = BitExactComparison.compare(a, b);
        assertThat(r.identical()).isFalse();
        assertThat(r.changedNames()).containsExactly("onlyA", "dtype", "shape", "vals", "negzero", "onlyB");
        Map<String, TensorDifference> byName = new LinkedHashMap<>();
        r.differences().forEach(d -> byName.put(d.name(), d));
        assertThat(byName.get("onlyA").kind()).isEqualTo(TensorDifference.Kind.MISSING);
        assertThat(byName.get("onlyB").kind()).isEqualTo(TensorDifference.Kind.ADDED);
        assertThat(byName.get("dtype").detail()).isEqualTo("F32 vs F16");
        assertThat(byName.get("shape").detail()).isEqualTo("[2] vs [1, 2]");
        assertThat(byName.get("vals").detail()).isEqualTo("2 of 4 elements differ; first at flat index 1: 2.0 vs 5.0");
        assertThat(byName.get("negzero").kind()).isEqualTo(TensorDifference.Kind.VALUES); // bits, not ==
        assertThat(byName.get("vals").toString()).startsWith("vals: VALUES (");
        assertThat(BitExactComparison.compare(a, a).identical()).isTrue();
    }

    @Test
    void nanPayloadsCompareByBits() {
        ByteBuffer x = ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 0x7FC00000);
        ByteBuffer y = ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 0x7FC00000);
        ByteBuffer z = ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 0x7FC00001);
        Tensor a = new Tensor("n", DType.F32, new long[] {1}, x), b = new Tensor("n", DType.F32, new long[] {1}, y);
        assertThat(BitExactComparison.compare(a, b)).isNull();
        assertThat(BitExactComparison.compare(a, new Tensor("n", DType.F32, new long[] {1}, z))).isNotNull();
    }

    @Test
    void localityListsViolations() {
        Map<String, Tensor> change = new LinkedHashMap<>();
        Tensor up = original.tensor(GptNeoxNames.mlpUpBias(0));
        change.put(up.name(), Tensor.of(up.name(), DType.F32, up.shape(), new double[(int) up.numel()]));
        Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 0, Permutation.parse("(1 2)", 6)).withTensors(change);
        Locality.Result loc = Locality.check(original, edited, BuiltInHeadPermutation.touchedTensors(original, 0));
        assertThat(loc.holds()).isFalse();
        assertThat(loc.violations()).containsExactly(GptNeoxNames.mlpUpBias(0));
        assertThat(loc.changed()).hasSize(4);
        assertThat(Locality.check(original, original, BuiltInHeadPermutation.touchedTensors(original, 0)).changed()).isEmpty();
    }
}
