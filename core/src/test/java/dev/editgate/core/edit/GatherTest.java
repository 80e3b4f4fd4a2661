package dev.editgate.core.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Gather} copies runs of consecutive sources in bulk; every result must equal the element-by-element definition
 * {@code out[.., r, ..] = in[.., src[r], ..]}, byte for byte, for every dtype, odd shapes, identity, block and random maps.
 */
class GatherTest {
    final Random random = new Random(16);

    /** A tensor of random bytes (NaN payloads, subnormals and all) read from a mapped-like direct buffer. */
    Tensor randomTensor(DType dtype, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        byte[] bytes = new byte[Math.toIntExact(n * dtype.byteSize())];
        random.nextBytes(bytes);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes).flip();
        return new Tensor("t", dtype, shape, direct);
    }

    /** The definition, one element at a time. */
    static byte[] expected(Tensor t, int axis, int[] src) {
        int es = t.dtype().byteSize(), rows = t.dim(0), cols = t.rank() == 2 ? t.dim(1) : 1;
        ByteBuffer in = t.data();
        byte[] out = new byte[Math.toIntExact(t.byteSize())];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int from = axis == 0 ? src[r] * cols + c : r * cols + src[c];
                for (int b = 0; b < es; b++) out[(r * cols + c) * es + b] = in.get(from * es + b);
            }
        }
        return out;
    }

    static byte[] bytes(Tensor t) {
        byte[] out = new byte[Math.toIntExact(t.byteSize())];
        t.data().get(out);
        return out;
    }

    int[] randomMap(int n) {
        int[] a = Gather.identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1), x = a[i];
            a[i] = a[j];
            a[j] = x;
        }
        return a;
    }

    @Test
    void everyDtypeAndShapeGathersAsTheDefinitionSays() {
        int cases = 0;
        for (DType dtype : DType.values()) {
            for (int[] shape : new int[][] {{1, 1}, {7, 3}, {3, 7}, {13, 5}, {6, 12}, {2, 9}}) {
                Tensor t = randomTensor(dtype, shape[0], shape[1]);
                for (int axis = 0; axis <= 1; axis++) {
                    int n = shape[axis];
                    int[][] maps = {Gather.identity(n), randomMap(n), Gather.blockMap(n, Math.max(1, n / 3), randomMap(n / Math.max(1, n / 3))),
                                    reversed(n), repeats(n)};
                    for (int[] src : maps) {
                        Tensor g = Gather.along(t, axis, src);
                        assertThat(bytes(g)).as("%s %dx%d axis %d", dtype, shape[0], shape[1], axis).isEqualTo(expected(t, axis, src));
                        assertThat(g.dtype()).isEqualTo(dtype);
                        assertThat(g.shape()).isEqualTo(t.shape());
                        cases++;
                    }
                }
            }
            Tensor v = randomTensor(dtype, 11);                     // a vector: the only axis is 0
            int[] src = randomMap(11);
            assertThat(bytes(Gather.rows(v, src))).isEqualTo(expected(v, 0, src));
        }
        assertThat(cases).isEqualTo(DType.values().length * 6 * 2 * 5);
    }

    @Test
    void theInputIsLeftAsItWas() {
        Tensor t = randomTensor(DType.F16, 8, 6);
        byte[] before = bytes(t);
        Gather.columns(t, randomMap(6));
        Gather.rows(t, randomMap(8));
        assertThat(bytes(t)).isEqualTo(before);
    }

    @Test
    void badMapsNameTheTensor() {
        Tensor t = randomTensor(DType.F32, 4, 3);
        assertThatThrownBy(() -> Gather.rows(t, new int[] {0, 1, 2})).hasMessageContaining("'t'").hasMessageContaining("row map of 3 for 4");
        assertThatThrownBy(() -> Gather.columns(t, new int[] {0, 1, 3})).hasMessageContaining("column index 3 out of range");
        assertThatThrownBy(() -> Gather.along(t, 2, new int[0])).hasMessageContaining("axis must be 0 or 1");
    }

    static int[] reversed(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = n - 1 - i;
        return a;
    }

    /** Not a permutation: every index reads source 0 or the last (runs of length one and repeated sources). */
    static int[] repeats(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i % 2 == 0 ? 0 : n - 1;
        return a;
    }
}
