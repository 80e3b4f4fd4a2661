package dev.editgate.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir Path dir;

    static Tensor randomBytes(String name, DType dtype, long[] shape, long seed) {
        long n = 1;
        for (long d : shape) n *= d;
        byte[] bytes = new byte[Math.toIntExact(n * dtype.byteSize())];
        new SplittableRandom(seed).nextBytes(bytes);
        if (dtype == DType.BOOL) for (int i = 0; i < bytes.length; i++) bytes[i] &= 1;
        ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return new Tensor(name, dtype, shape, buf);
    }

    @Test
    void everyDtypeRoundTripsBitExact() {
        List<Tensor> tensors = new ArrayList<>();
        long seed = 1;
        for (DType d : DType.values()) {
            tensors.add(randomBytes("t." + d.name().toLowerCase(), d, new long[] {3, 5}, seed++));
            tensors.add(randomBytes("scalar." + d.name().toLowerCase(), d, new long[] {}, seed++));
            tensors.add(randomBytes("empty." + d.name().toLowerCase(), d, new long[] {0, 4}, seed++));
        }
        // NaN payloads, signed zeros, infinities and subnormals survive: bytes are never decoded
        ByteBuffer special = ByteBuffer.allocateDirect(6 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int bits : new int[] {0x7FC00001, 0xFFA00000, 0x80000000, 0x7F800000, 0x00000001, 0xFF800000}) special.putInt(bits);
        tensors.add(new Tensor("special", DType.F32, new long[] {6}, special.flip()));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "ünïcode ✓ \"quoted\"");
        Path f = dir.resolve("all.safetensors");
        SafetensorsWriter.write(f, tensors, meta);

        SafetensorsFile read = SafetensorsFile.open(f);
        assertThat(read.metadata()).isEqualTo(meta);
        assertThat(read.tensors().keySet()).containsExactlyInAnyOrderElementsOf(tensors.stream().map(Tensor::name).toList());
        for (Tensor t : tensors) {
            Tensor r = read.tensor(t.name());
            assertThat(r.dtype()).isEqualTo(t.dtype());
            assertThat(r.shape()).isEqualTo(t.shape());
            assertThat(r.bitEquals(t)).as(t.name()).isTrue();
            assertThat(r.data().isDirect()).as("mapped, not on the heap").isTrue();
            assertThat(r.data().isReadOnly()).isTrue();
        }
        assertThat(read.path()).isEqualTo(f);
    }

    /** A sparse 2.1 GB file: tensors past the 2 GB mark map and read (each tensor is its own mapping). */
    @Test
    void filesOverTwoGigabytesWork() throws IOException {
        long gb = 1L << 30;
        String header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[" + gb + "],\"data_offsets\":[0," + gb + "]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[" + gb + "],\"data_offsets\":[" + gb + "," + 2 * gb + "]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + 2 * gb + "," + (2 * gb + 16) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        Path f = dir.resolve("big.safetensors");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(h);
            while (head.hasRemaining()) head.put((byte) ' ');
            ch.write(head.flip(), 0);
            ByteBuffer c = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3).putFloat(4.5f);
            ch.write(c.flip(), 8 + padded + 2 * gb);
        }
        assertThat(Files.size(f)).isGreaterThan(2 * gb);
        SafetensorsFile file = SafetensorsFile.open(f);
        assertThat(file.tensor("c").toDoubleArray()).containsExactly(1, 2, 3, 4.5);
        assertThat(file.tensor("b").numel()).isEqualTo(gb);
        assertThat(file.tensor("b").data().get((int) (gb - 1))).isZero();
        Files.delete(f);
    }

    @Test
    void floatsEncodeAndDecode() {
        double[] v = {0, -0.0, 1, -2.5, 65504, 1e-3, Double.POSITIVE_INFINITY};
        for (DType d : new DType[] {DType.F64, DType.F32, DType.F16, DType.BF16}) {
            Tensor t = Tensor.of("x", d, new long[] {7}, v);
            double[] back = t.toDoubleArray();
            assertThat(back[0]).isEqualTo(0.0);
            assertThat(Double.doubleToRawLongBits(back[1])).isEqualTo(Double.doubleToRawLongBits(-0.0));
            assertThat(back[2]).isEqualTo(1.0);
            assertThat(back[3]).isEqualTo(-2.5);
            assertThat(back[6]).isInfinite();
            Path f = dir.resolve(d + ".safetensors");
            SafetensorsWriter.write(f, List.of(t), Map.of());
            assertThat(SafetensorsFile.open(f).tensor("x").toDoubleArray()).containsExactly(back);
        }
    }

    @Test
    void headerIsPaddedToEightBytesWithSpacesAndLengthIsLittleEndian() throws IOException {
        for (int nameLen = 1; nameLen <= 9; nameLen++) {
            Tensor t = randomBytes("n".repeat(nameLen), DType.U8, new long[] {3}, nameLen);
            Path f = dir.resolve("p" + nameLen + ".safetensors");
            SafetensorsWriter.write(f, List.of(t), Map.of());
            byte[] bytes = Files.readAllBytes(f);
            long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(headerLen % 8).isZero();
            assertThat(bytes.length).isEqualTo(8 + headerLen + 3);
            String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
            assertThat(header).startsWith("{");
            assertThat(header.stripTrailing()).endsWith("}");
            assertThat(header.substring(header.stripTrailing().length())).matches(" *");
            assertThat(header).contains("\"dtype\":\"U8\"").contains("\"shape\":[3]").contains("\"data_offsets\":[0,3]");
        }
    }

    @Test
    void metadataIsWrittenInSortedOrderWhateverTheMapType() throws IOException {
        Tensor t = randomBytes("x", DType.U8, new long[] {1}, 1);
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        Map<String, String> m1 = new LinkedHashMap<>();
        m1.put("z", "1"); m1.put("a", "2"); m1.put("m", "3");
        Map<String, String> m2 = new LinkedHashMap<>();
        m2.put("m", "3"); m2.put("a", "2"); m2.put("z", "1");
        SafetensorsWriter.write(a, List.of(t), m1);
        SafetensorsWriter.write(b, List.of(t), m2);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    }

    @Test
    void writerRejectsDuplicateAndReservedNames() {
        Tensor t = randomBytes("x", DType.U8, new long[] {1}, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SafetensorsWriter.write(dir.resolve("d.safetensors"), List.of(t, t), Map.of()))
                .hasMessageContaining("duplicate tensor name 'x'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SafetensorsWriter.write(dir.resolve("d.safetensors"),
                        List.of(t.renamed("__metadata__")), Map.of()))
                .hasMessageContaining("reserved");
        assertThat(Files.exists(dir.resolve("d.safetensors"))).isFalse();
    }

    @Test
    void writtenTensorsComeBackInWriteOrderAndFileLeavesNoTempFiles() throws IOException {
        List<Tensor> ts = new ArrayList<>();
        for (String n : new String[] {"c", "a", "b"}) ts.add(randomBytes(n, DType.F32, new long[] {2}, n.hashCode()));
        Path f = dir.resolve("o.safetensors");
        SafetensorsWriter.write(f, ts, null);
        assertThat(SafetensorsFile.open(f).tensors().keySet()).containsExactly("c", "a", "b");
        assertThat(SafetensorsFile.open(f).metadata()).isEmpty();
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("o.safetensors");
        }
    }
}
