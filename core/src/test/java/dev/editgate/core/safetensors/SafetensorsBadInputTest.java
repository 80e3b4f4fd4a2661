package dev.editgate.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file is refused with a message naming the file, the tensor and what was expected. */
class SafetensorsBadInputTest {
    @TempDir Path dir;

    Path raw(String name, long headerLen, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(h);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    Path raw(String name, String header, int dataBytes) throws IOException {
        return raw(name, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        Path f = dir.resolve("tiny.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("file is 3 bytes").hasMessageContaining("8-byte header length");
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        Path f = raw("past.safetensors", 1000, "{}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("header length 1000 runs past the end of the file (10 bytes)");
    }

    @Test
    void headerLengthOutOfBounds() throws IOException {
        Path zero = raw("zero.safetensors", 0, "", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(zero)).hasMessageContaining("header length 0 is out of bounds");
        Path neg = raw("neg.safetensors", -5, "{}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(neg)).hasMessageContaining("header length -5 is out of bounds");
        Path huge = raw("huge.safetensors", Long.MAX_VALUE, "{}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(huge)).hasMessageContaining("out of bounds (1..104857600)");
    }

    @Test
    void truncatedDataSection() throws IOException {
        Tensor t = Tensor.of("w", DType.F32, new long[] {4, 4}, new double[16]);
        Path good = dir.resolve("good.safetensors");
        SafetensorsWriter.write(good, List.of(t), Map.of());
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 10));
        assertThatThrownBy(() -> SafetensorsFile.open(cut)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(cut.toString()).hasMessageContaining("tensor 'w' data_offsets [0, 64)")
                .hasMessageContaining("run past the data section of 54 bytes (file truncated?)");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        Path f = raw("oor.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[8,12]}}", 10);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).hasMessageContaining("tensor 'a' data_offsets [8, 12) run past the data section of 10 bytes");
        Path neg = raw("negoff.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[-4,0]}}", 10);
        assertThatThrownBy(() -> SafetensorsFile.open(neg)).hasMessageContaining("tensor 'a': data_offsets [-4,0] must be integers with 0 <= begin <= end");
        Path rev = raw("rev.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,0]}}", 10);
        assertThatThrownBy(() -> SafetensorsFile.open(rev)).hasMessageContaining("0 <= begin <= end");
        Path one = raw("one.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4]}}", 10);
        assertThatThrownBy(() -> SafetensorsFile.open(one)).hasMessageContaining("tensor 'a': 'data_offsets' must be [begin, end]");
    }

    @Test
    void overlappingOffsets() throws IOException {
        Path f = raw("overlap.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[2,6]}}", 8);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("tensor 'b' bytes [2, 6) overlap tensor 'a' which ends at 4");
    }

    @Test
    void shapeAndByteSizeMismatch() throws IOException {
        Path f = raw("mismatch.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("tensor 'w': data_offsets span 16 bytes but shape [2, 3] of F32 needs 24");
        Path neg = raw("negshape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(neg)).hasMessageContaining("shape entry -1 is not a non-negative integer");
        Path frac = raw("frac.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,0]}}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(frac)).hasMessageContaining("shape entry 1.5 is not a non-negative integer");
        Path big = raw("big.safetensors", "{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(big)).hasMessageContaining("tensor 'w': shape [4294967296, 4294967296] overflows");
    }

    @Test
    void unknownDtype() throws IOException {
        Path f = raw("dtype.safetensors", "{\"w\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("tensor 'w': unknown dtype 'F128'; expected one of [F64, F32, F16, BF16");
        Path missing = raw("nodtype.safetensors", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        assertThatThrownBy(() -> SafetensorsFile.open(missing)).hasMessageContaining("tensor 'w': missing string field 'dtype'");
        Path noShape = raw("noshape.safetensors", "{\"w\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", 1);
        assertThatThrownBy(() -> SafetensorsFile.open(noShape)).hasMessageContaining("tensor 'w': missing array field 'shape'");
    }

    @Test
    void malformedJson() throws IOException {
        Path f = raw("json.safetensors", "{\"w\": {\"dtype\": \"U8\",", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("header is not valid JSON");
        Path arr = raw("array.safetensors", "[1,2,3]", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(arr)).hasMessageContaining("header must be a JSON object");
        Path notObj = raw("entry.safetensors", "{\"w\": 3}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(notObj)).hasMessageContaining("tensor 'w': expected an object with dtype, shape, data_offsets");
        Path meta = raw("meta.safetensors", "{\"__metadata__\": {\"a\": 1}}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(meta)).hasMessageContaining("__metadata__.a must be a string");
        Path metaArr = raw("meta2.safetensors", "{\"__metadata__\": [1]}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(metaArr)).hasMessageContaining("__metadata__ must be an object of strings");
    }

    @Test
    void duplicateNamesAndTrailingTextInTheHeaderAreRefused() throws IOException {
        Path dup = raw("dup.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", 4);
        assertThatThrownBy(() -> SafetensorsFile.open(dup)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(dup.toString()).hasMessageContaining("header is not valid JSON").hasMessageContaining("Duplicate field 'a'");
        Path trailing = raw("trail.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}} x", 2);
        assertThatThrownBy(() -> SafetensorsFile.open(trailing)).hasMessageContaining("header is not valid JSON");
    }

    @Test
    void missingFileIsAnUncheckedIoErrorNamingIt() {
        Path f = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot read safetensors file " + f);
    }

    @Test
    void unknownTensorNameNamesFileAndTensor() throws IOException {
        Path f = raw("ok.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}  ", 2);
        SafetensorsFile file = SafetensorsFile.open(f);
        assertThat(file.tensor("a").numel()).isEqualTo(2);
        assertThatThrownBy(() -> file.tensor("b")).hasMessageContaining(f.toString()).hasMessageContaining("no tensor named 'b'");
    }

    @Test
    void tensorRecordValidatesItsBytes() {
        assertThatThrownBy(() -> new Tensor("w", DType.F16, new long[] {3}, ByteBuffer.allocateDirect(4)))
                .hasMessageContaining("tensor 'w': 4 bytes but shape [3] of F16 needs 6");
        assertThatThrownBy(() -> new Tensor("w", DType.F16, new long[] {-3}, ByteBuffer.allocateDirect(4)))
                .hasMessageContaining("negative dimension");
        assertThatThrownBy(() -> Tensor.of("w", DType.I32, new long[] {1}, new double[] {1}))
                .hasMessageContaining("cannot encode numbers as I32");
        Tensor ints = new Tensor("i", DType.I32, new long[] {1}, ByteBuffer.allocateDirect(4));
        assertThatThrownBy(() -> ints.getDouble(0)).hasMessageContaining("tensor 'i' has dtype I32");
    }

    @Test
    void theDataSectionMustBeExactlyCovered() throws IOException {
        String ab = "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[%s]}}";
        Path gap = raw("gap.safetensors", String.format(ab, "3,5"), 5);
        assertThatThrownBy(() -> SafetensorsFile.open(gap)).isInstanceOf(SafetensorsFormatException.class).hasMessageContaining(gap.toString())
                .hasMessageContaining("bytes [2, 3) of the data section belong to no tensor (between tensor 'a' and tensor 'b')");
        Path trailing = raw("trailing.safetensors", String.format(ab, "2,4"), 5);
        assertThatThrownBy(() -> SafetensorsFile.open(trailing)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("the data section has 1 byte after the last tensor ends at 4 (5 bytes)");
        Path leading = raw("leading.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3);
        assertThatThrownBy(() -> SafetensorsFile.open(leading)).hasMessageContaining("bytes [0, 1) of the data section belong to no tensor");
        // the header length one byte short: the last padding space becomes the first data byte
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}} ";
        Path shortLen = raw("short.safetensors", h.length() - 1, h, 2);
        assertThatThrownBy(() -> SafetensorsFile.open(shortLen)).hasMessageContaining("1 byte after the last tensor");
        assertThat(SafetensorsFile.open(raw("exact.safetensors", h.length(), h, 2)).tensor("a").numel()).isEqualTo(2);
        Path empty = raw("empty.safetensors", "{}", 0);
        assertThat(SafetensorsFile.open(empty).tensors()).isEmpty();
    }

    @Test
    void numbersMustBeInRangeIntegers() throws IOException {
        String two64 = "18446744073709551616";
        Path wrap = raw("wrap.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[" + two64 + ",18446744073709551618]}}", 2);
        assertThatThrownBy(() -> SafetensorsFile.open(wrap)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("tensor 'a': data_offsets entry " + two64 + " is not an integer in [0, 2^63)");
        Path shape = raw("shape.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[" + two64 + "],\"data_offsets\":[0,0]}}", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(shape)).hasMessageContaining("shape entry " + two64 + " is not a non-negative integer");
        Path frac = raw("frac-off.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2.0]}}", 2);
        assertThatThrownBy(() -> SafetensorsFile.open(frac)).hasMessageContaining("data_offsets entry 2.0 is not an integer");
    }

    @Test
    void invalidUtf8InTheHeaderIsAnError() throws IOException {
        byte[] h = "{\"__metadata__\":{\"k\":\"v?\"}}".getBytes(StandardCharsets.UTF_8);
        h[h.length - 4] = (byte) 0xC3; // a lead byte followed by '"': never valid UTF-8
        ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("utf8.safetensors");
        Files.write(f, b.array());
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("header is not valid UTF-8 (at header byte 23)");
    }
}
