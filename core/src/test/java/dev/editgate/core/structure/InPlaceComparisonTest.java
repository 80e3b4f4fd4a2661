package dev.editgate.core.structure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.editgate.core.model.BlockKind;
import dev.editgate.core.model.BlockSet;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The in-place fast paths of the structural checks against the simple definitions they replace: {@link BlockBytes#equal}
 * and {@link BlockBytes#hash} against the packed copy of {@link BlockBytes#of}, {@link BitExactComparison#changedNames}
 * against {@link BitExactComparison#compare}, and the word-at-a-time changed-element count against a byte loop.
 */
class InPlaceComparisonTest {
    final Random random = new Random(161);

    Tensor randomTensor(String name, DType dtype, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        byte[] bytes = new byte[Math.toIntExact(n * dtype.byteSize())];
        random.nextBytes(bytes);
        return new Tensor(name, dtype, shape, random.nextBoolean() ? ByteBuffer.wrap(bytes) : ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
    }

    /** {@code t} with the bytes of element {@code index} flipped in its first byte. */
    static Tensor withFlippedElement(Tensor t, long index) {
        byte[] bytes = new byte[Math.toIntExact(t.byteSize())];
        t.data().get(bytes);
        bytes[Math.toIntExact(index * t.dtype().byteSize())] ^= 1;
        return new Tensor(t.name(), t.dtype(), t.shape(), ByteBuffer.wrap(bytes));
    }

    @Test
    void blockEqualityAndHashAgreeWithThePackedCopy() {
        int compared = 0;
        for (DType dtype : DType.values()) {
            for (int axis = 0; axis <= 1; axis++) {
                // 5 blocks of 3 along the axis (7 rows or columns on the other), at odd starts; blocks 1 and 3 made equal
                Tensor a = randomTensor("w", dtype, axis == 0 ? 17 : 7, axis == 0 ? 7 : 17);
                BlockSet s = new BlockSet(BlockKind.Q, false, "q", "w", axis, 3, new int[] {1, 4, 7, 10, 14});
                Tensor b = copyBlock(a, s, 1, 3);
                Tensor c = withFlippedElement(b, axis == 0 ? 10L * 7 + 6 : 6L * 17 + 12); // last element of block 3 only
                for (Tensor x : new Tensor[] {a, b, c}) {
                    for (Tensor y : new Tensor[] {a, b, c}) {
                        for (int i = 0; i < s.count(); i++) {
                            for (int j = 0; j < s.count(); j++) {
                                boolean packed = BlockBytes.of(x, s, i).equals(BlockBytes.of(y, s, j));
                                assertThat(BlockBytes.equal(x, s, i, y, s, j)).as("%s axis %d blocks %d %d", dtype, axis, i, j).isEqualTo(packed);
                                if (packed) assertThat(BlockBytes.hash(x, s, i)).isEqualTo(BlockBytes.hash(y, s, j));
                                compared++;
                            }
                        }
                    }
                }
                assertThat(BlockBytes.equal(b, s, 1, b, s, 3)).isTrue();
                assertThat(BlockBytes.equal(c, s, 1, c, s, 3)).isFalse();
            }
        }
        assertThat(compared).isEqualTo(DType.values().length * 2 * 9 * 25);
    }

    @Test
    void blocksOfARankOneTensor() {
        Tensor bias = randomTensor("b", DType.BF16, 12);
        BlockSet s = BlockSet.strided(BlockKind.Q, true, "q bias", "b", 0, 4, 3, 0, 4);
        Tensor same = copyBlock(bias, s, 0, 2);
        assertThat(BlockBytes.equal(same, s, 0, same, s, 2)).isTrue();
        assertThat(BlockBytes.equal(bias, s, 0, same, s, 0)).isTrue();
        assertThat(BlockBytes.equal(same, s, 1, same, s, 2)).isEqualTo(BlockBytes.of(same, s, 1).equals(BlockBytes.of(same, s, 2)));
    }

    /** A copy of {@code t} in which block {@code to} of {@code s} holds block {@code from}'s bytes. */
    static Tensor copyBlock(Tensor t, BlockSet s, int from, int to) {
        int es = t.dtype().byteSize();
        byte[] bytes = new byte[Math.toIntExact(t.byteSize())];
        t.data().get(bytes);
        if (s.axis() == 0) {
            int rowBytes = Math.toIntExact(t.byteSize() / t.dim(0));
            System.arraycopy(bytes, s.start(from) * rowBytes, bytes, s.start(to) * rowBytes, s.length() * rowBytes);
        } else {
            int rowBytes = t.dim(1) * es;
            for (int r = 0; r < t.dim(0); r++) {
                System.arraycopy(bytes, r * rowBytes + s.start(from) * es, bytes, r * rowBytes + s.start(to) * es, s.length() * es);
            }
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), ByteBuffer.wrap(bytes));
    }

    @Test
    void changedNamesAreTheFullComparisonsNames() {
        for (int round = 0; round < 20; round++) {
            Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
            for (int k = 0; k < 8; k++) {
                DType dtype = DType.values()[random.nextInt(DType.values().length)];
                Tensor t = randomTensor("t" + k, dtype, 1 + random.nextInt(5), 1 + random.nextInt(9));
                a.put(t.name(), t);
                switch (random.nextInt(6)) {
                    case 0 -> b.put(t.name(), t);                                          // the same object
                    case 1 -> b.put(t.name(), copyOf(t));                                  // equal bytes, another buffer
                    case 2 -> b.put(t.name(), withFlippedElement(t, random.nextInt((int) t.numel())));
                    case 3 -> b.put(t.name(), new Tensor(t.name(), t.dtype(), new long[] {t.numel()}, t.data())); // shape
                    case 4 -> { }                                                          // missing on one side
                    default -> b.put(t.name() + "+", t.renamed(t.name() + "+"));          // added on the other
                }
            }
            assertThat(BitExactComparison.changedNames(a, b)).containsExactlyElementsOf(BitExactComparison.compare(a, b).changedNames());
        }
    }

    @Test
    void changedElementCountMatchesAByteLoop() {
        for (DType dtype : DType.values()) {
            for (int n : new int[] {1, 3, 8, 13, 64, 101}) {
                Tensor a = randomTensor("x", dtype, n);
                byte[] bytes = new byte[Math.toIntExact(a.byteSize())];
                a.data().get(bytes);
                for (int i = 0; i < bytes.length; i++) if (random.nextInt(4) == 0) bytes[i] ^= (byte) (1 << random.nextInt(8));
                Tensor b = new Tensor("x", dtype, a.shape(), ByteBuffer.wrap(bytes));
                long expected = 0;
                int es = dtype.byteSize();
                for (int e = 0; e < n; e++) {
                    for (int k = 0; k < es; k++) {
                        if (a.data().get(e * es + k) != bytes[e * es + k]) { expected++; break; }
                    }
                }
                assertThat(BitExactComparison.countChangedElements(a, b)).as("%s of %d", dtype, n).isEqualTo(expected);
            }
        }
    }

    static Tensor copyOf(Tensor t) {
        byte[] bytes = new byte[Math.toIntExact(t.byteSize())];
        t.data().get(bytes);
        return new Tensor(t.name(), t.dtype(), t.shape(), ByteBuffer.wrap(bytes));
    }
}
