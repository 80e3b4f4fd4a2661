package dev.editgate.core.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.editgate.core.files.InputFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file, memory-mapped read-only. Each tensor is its own mapping of exactly its bytes,
 * so files over 2 GB work and no weight is copied onto the Java heap.
 *
 * <p>Layout: 8-byte little-endian header length N, N bytes of JSON header
 * ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}}),
 * then the data section; offsets are relative to the data section.
 */
public final class SafetensorsFile {
    /** Same bound as the Rust reference implementation. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Strict like the reference parser: a repeated key or text after the header object is an error, not ignored. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path path;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.path = path;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens and validates {@code file}; the file is only ever opened for reading, and only when it is a
     * regular file (a FIFO would block forever). The header must be strict UTF-8 JSON whose tensors cover
     * the data section exactly: no gap, no overlap, no byte after the last tensor (a header length one byte
     * short would otherwise shift every tensor by one byte), every number an integer in range.
     */
    public static SafetensorsFile open(Path file) {
        if (InputFile.exists(file)) InputFile.check(file, "a safetensors file", Long.MAX_VALUE); // a missing file: the read below says so
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsFormatException(file, "file is " + size + " bytes; a safetensors file starts with an 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
                throw new SafetensorsFormatException(file, "header length " + headerLen + " is out of bounds (1.." + MAX_HEADER_BYTES + ")");
            }
            if (8 + headerLen > size) {
                throw new SafetensorsFormatException(file, "header length " + headerLen + " runs past the end of the file ("
                        + size + " bytes); the file is truncated or not safetensors");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            String headerText = utf8(file, headerBuf.array());
            long dataStart = 8 + headerLen;
            return parse(file, ch, headerText, dataStart, size - dataStart);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String utf8(Path file, byte[] header) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(header);
        CharBuffer out = CharBuffer.allocate(header.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw new SafetensorsFormatException(file, "header is not valid UTF-8 (at header byte " + in.position() + ")");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) throw new IOException("unexpected end of file");
        }
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private static SafetensorsFile parse(Path file, FileChannel ch, String headerText, long dataStart, long dataSize) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(headerText);
        } catch (IOException e) {
            throw new SafetensorsFormatException(file, "header is " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? dev.editgate.core.files.JsonFiles.oneLine(j) : "not valid JSON: " + e.getMessage().lines().findFirst().orElse("")));
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(file, "header must be a JSON object mapping tensor names to {dtype, shape, data_offsets}");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals("__metadata__")) {
                if (!node.isObject()) throw new SafetensorsFormatException(file, "__metadata__ must be an object of strings");
                node.fields().forEachRemaining(m -> {
                    if (!m.getValue().isTextual()) {
                        throw new SafetensorsFormatException(file, "__metadata__." + m.getKey() + " must be a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                });
                continue;
            }
            entries.add(parseEntry(file, name, node));
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long previousEnd = 0;
        String previousName = null;
        for (Entry e : entries) {
            if (e.end() > dataSize) {
                throw new SafetensorsFormatException(file, "tensor '" + e.name() + "' data_offsets [" + e.begin() + ", " + e.end()
                        + ") run past the data section of " + dataSize + " bytes (file truncated?)");
            }
            if (e.begin() < previousEnd) {
                throw new SafetensorsFormatException(file, "tensor '" + e.name() + "' bytes [" + e.begin() + ", " + e.end()
                        + ") overlap tensor '" + previousName + "' which ends at " + previousEnd);
            }
            if (e.begin() > previousEnd) {
                throw new SafetensorsFormatException(file, "bytes [" + previousEnd + ", " + e.begin() + ") of the data section belong to no tensor ("
                        + (previousName == null ? "before" : "between tensor '" + previousName + "' and") + " tensor '" + e.name()
                        + "'); the header's offsets or its length are wrong");
            }
            previousEnd = e.end();
            previousName = e.name();
        }
        if (previousEnd != dataSize) {
            long extra = dataSize - previousEnd;
            throw new SafetensorsFormatException(file, "the data section has " + extra + (extra == 1 ? " byte" : " bytes")
                    + " after the last tensor ends at " + previousEnd + " (" + dataSize + " bytes); the header length or the offsets "
                    + "are wrong (a header length one byte short shifts every tensor), or the file has trailing data");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            long len = e.end() - e.begin();
            ByteBuffer slice = len == 0 ? ByteBuffer.allocateDirect(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), len);
            tensors.put(e.name(), new Tensor(e.name(), e.dtype(), e.shape(), slice));
        }
        return new SafetensorsFile(file, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static Entry parseEntry(Path file, String name, JsonNode node) {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) throw new SafetensorsFormatException(file, where + ": expected an object with dtype, shape, data_offsets");
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw new SafetensorsFormatException(file, where + ": missing string field 'dtype'");
        if (shapeNode == null || !shapeNode.isArray()) throw new SafetensorsFormatException(file, where + ": missing array field 'shape'");
        if (offsetsNode == null || !offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw new SafetensorsFormatException(file, where + ": 'data_offsets' must be [begin, end]");
        }
        DType dtype;
        try {
            dtype = DType.fromHeader(dtypeNode.asText());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, where + ": " + e.getMessage());
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new SafetensorsFormatException(file, where + ": shape entry " + d + " is not a non-negative integer");
            }
            shape[i] = d.asLong();
        }
        JsonNode b = offsetsNode.get(0), en = offsetsNode.get(1);
        for (JsonNode o : new JsonNode[] {b, en}) {
            if (o.isNumber() && (!o.isIntegralNumber() || !o.canConvertToLong())) {
                throw new SafetensorsFormatException(file, where + ": data_offsets entry " + o + " is not an integer in [0, 2^63)");
            }
        }
        if (!b.isIntegralNumber() || !en.isIntegralNumber() || b.asLong() < 0 || en.asLong() < b.asLong()) {
            throw new SafetensorsFormatException(file, where + ": data_offsets " + offsetsNode + " must be integers with 0 <= begin <= end");
        }
        long begin = b.asLong(), end = en.asLong();
        long expected;
        try {
            expected = Math.multiplyExact(Tensor.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(file, where + ": shape " + java.util.Arrays.toString(shape) + " overflows");
        }
        if (end - begin != expected) {
            throw new SafetensorsFormatException(file, where + ": data_offsets span " + (end - begin) + " bytes but shape "
                    + java.util.Arrays.toString(shape) + " of " + dtype + " needs " + expected);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    public Path path() { return path; }

    /** Tensors in file order (by offset). */
    public Map<String, Tensor> tensors() { return tensors; }

    public Map<String, String> metadata() { return metadata; }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
        return t;
    }
}
