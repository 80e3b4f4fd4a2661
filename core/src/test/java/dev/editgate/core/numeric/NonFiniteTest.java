package dev.editgate.core.numeric;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class NonFiniteTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32", "F16", "BF16"})
    void countsNanAndInfAndFindsTheFirst(DType dtype) {
        double[] v = new double[100];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.25 - 3;
        assertThat(NonFinite.scan(Tensor.of("clean", dtype, new long[] {10, 10}, v)))
                .isEqualTo(new NonFiniteScan("clean", 0, 0, -1));
        v[17] = Double.POSITIVE_INFINITY;
        v[42] = Double.NaN;
        v[43] = Double.NEGATIVE_INFINITY;
        v[99] = Double.NaN;
        v[50] = dtype == DType.F16 ? 65504 : Double.MAX_VALUE / 1e300; // large but finite
        NonFiniteScan s = NonFinite.scan(Tensor.of("w", dtype, new long[] {10, 10}, v));
        assertThat(s).isEqualTo(new NonFiniteScan("w", 2, 2, 17));
        assertThat(s.isFinite()).isFalse();
        assertThat(s.nonFiniteCount()).isEqualTo(4);
        assertThat(s.toString()).isEqualTo("w: 2 NaN, 2 Inf, first at flat index 17");
    }

    @Test
    void overflowOnEncodingShowsUpAsInf() {
        // 70000 does not fit in F16: the encoder rounds it to +inf, and the scan sees it
        assertThat(NonFinite.scan(Tensor.of("h", DType.F16, new long[] {2}, new double[] {1, 70000})).infCount()).isEqualTo(1);
        assertThat(NonFinite.scan(Tensor.of("h", DType.BF16, new long[] {2}, new double[] {1, 70000})).isFinite()).isTrue();
    }

    @Test
    void everyNanPayloadCounts() {
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x7C01).putShort((short) 0xFE00).putShort((short) 0xFC00).putShort((short) 0x7BFF).flip();
        assertThat(NonFinite.scan(new Tensor("h", DType.F16, new long[] {4}, b))).isEqualTo(new NonFiniteScan("h", 2, 1, 0));
        ByteBuffer c = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        c.putShort((short) 0x7F7F).putShort((short) 0x7F81).putShort((short) 0xFF80).putShort((short) 0xFFC0).flip();
        assertThat(NonFinite.scan(new Tensor("b", DType.BF16, new long[] {4}, c))).isEqualTo(new NonFiniteScan("b", 2, 1, 1));
    }

    @Test
    void integerTensorsAreFiniteAndScanAllKeepsOrder() {
        ByteBuffer ones = ByteBuffer.allocateDirect(16);
        for (int i = 0; i < 16; i++) ones.put(i, (byte) 0xFF);
        Tensor ints = new Tensor("i", DType.I32, new long[] {4}, ones);
        assertThat(NonFinite.scan(ints).isFinite()).isTrue();
        Tensor f = Tensor.of("f", DType.F32, new long[] {1}, new double[] {Double.NaN});
        List<NonFiniteScan> all = NonFinite.scanAll(List.of(ints, f));
        assertThat(all).extracting(NonFiniteScan::tensor).containsExactly("i", "f");
        assertThat(all.get(1).toString()).isEqualTo("f: 1 NaN, 0 Inf, first at flat index 0");
        assertThat(all.get(0).toString()).isEqualTo("i: all finite");
    }
}
