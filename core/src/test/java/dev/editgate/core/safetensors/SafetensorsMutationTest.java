package dev.editgate.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random mutations of a valid safetensors file (issue 18 item 5): each mutated file must either be
 * refused with a {@link SafetensorsFormatException} (or another {@link IllegalArgumentException}) naming the
 * file, or be read validly: every tensor's bytes inside the file and the data section exactly covered. Never
 * another exception, never a hang. Deterministic: case {@code i} uses seed {@code SEED + i}.
 */
class SafetensorsMutationTest {
    static final long SEED = 1918;
    static final int CASES = 400;
    static final String[] HOSTILE_NUMBERS = {"-1", "0", "1", "7", "1.5", "1e3", "-0", "9223372036854775807", "9223372036854775808",
            "18446744073709551616", "18446744073709551623", "99999999999999999999999", "4294967296"};

    @TempDir Path dir;

    static byte[] original() {
        List<Tensor> tensors = List.of(
                Tensor.of("a", DType.F32, new long[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6}),
                Tensor.of("b", DType.F16, new long[] {4}, new double[] {1, -1, 0.5, 2}),
                Tensor.of("c", DType.BF16, new long[] {2, 2}, new double[] {3, 4, 5, 6}),
                Tensor.of("d", DType.F32, new long[] {0}, new double[0]));
        try {
            Path tmp = Files.createTempFile("mutation-base", ".safetensors");
            SafetensorsWriter.write(tmp, tensors, new TreeMap<>(Map.of("format", "pt")));
            byte[] b = Files.readAllBytes(tmp);
            Files.delete(tmp);
            return b;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One mutation of {@code b}, chosen and parameterised by {@code rng}; {@code what} describes it. */
    static byte[] mutate(byte[] b, SplittableRandom rng, StringBuilder what) {
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] out = b.clone();
        switch (rng.nextInt(9)) {
            case 0 -> {
                int at = 8 + rng.nextInt(n);
                int bit = rng.nextInt(8);
                out[at] ^= (byte) (1 << bit);
                what.append("flip bit ").append(bit).append(" of header byte ").append(at);
            }
            case 1 -> {
                String chars = "{}[]\",:0123456789-.eE \\";
                int at = 8 + rng.nextInt(n);
                out[at] = (byte) chars.charAt(rng.nextInt(chars.length()));
                what.append("header byte ").append(at).append(" := '").append((char) out[at]).append("'");
            }
            case 2 -> {
                int delta = rng.nextInt(-16, 17);
                ByteBuffer.wrap(out, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n + delta);
                what.append("header length ").append(delta >= 0 ? "+" : "").append(delta);
            }
            case 3 -> {
                int len = rng.nextInt(b.length);
                out = Arrays.copyOf(b, len);
                what.append("truncate to ").append(len).append(" bytes");
            }
            case 4 -> {
                int extra = 1 + rng.nextInt(16);
                out = Arrays.copyOf(b, b.length + extra);
                for (int i = b.length; i < out.length; i++) out[i] = (byte) rng.nextInt(256);
                what.append("append ").append(extra).append(" bytes");
            }
            case 5 -> {
                String header = new String(b, 8, n, StandardCharsets.UTF_8);
                var m = java.util.regex.Pattern.compile("\\d+").matcher(header);
                List<int[]> spans = new java.util.ArrayList<>();
                while (m.find()) spans.add(new int[] {m.start(), m.end()});
                int[] s = spans.get(rng.nextInt(spans.size()));
                String number = HOSTILE_NUMBERS[rng.nextInt(HOSTILE_NUMBERS.length)];
                String edited = header.substring(0, s[0]) + number + header.substring(s[1]);
                out = withHeader(b, n, edited.getBytes(StandardCharsets.UTF_8), rng.nextBoolean());
                what.append("number '").append(header, s[0], s[1]).append("' at ").append(s[0]).append(" := ").append(number);
            }
            case 6 -> {
                int from = rng.nextInt(n), len = 1 + rng.nextInt(Math.min(12, n - from));
                byte[] header = Arrays.copyOfRange(b, 8, 8 + n);
                byte[] cut = new byte[n - len];
                System.arraycopy(header, 0, cut, 0, from);
                System.arraycopy(header, from + len, cut, from, n - from - len);
                out = withHeader(b, n, cut, rng.nextBoolean());
                what.append("delete ").append(len).append(" header bytes at ").append(from);
            }
            case 7 -> {
                int at = rng.nextInt(n + 1);
                byte inserted = (byte) (rng.nextBoolean() ? 0x80 + rng.nextInt(128) : rng.nextInt(128));
                byte[] header = Arrays.copyOfRange(b, 8, 8 + n);
                byte[] grown = new byte[n + 1];
                System.arraycopy(header, 0, grown, 0, at);
                grown[at] = inserted;
                System.arraycopy(header, at, grown, at + 1, n - at);
                out = withHeader(b, n, grown, rng.nextBoolean());
                what.append("insert byte 0x").append(Integer.toHexString(inserted & 0xFF)).append(" at header byte ").append(at);
            }
            default -> {
                int at = rng.nextInt(8), bit = rng.nextInt(8);
                out[at] ^= (byte) (1 << bit);
                what.append("flip bit ").append(bit).append(" of length byte ").append(at);
            }
        }
        return out;
    }

    /** {@code b} with its header replaced by {@code header}, the length field set to it (or, when not {@code fix}, left as it was). */
    static byte[] withHeader(byte[] b, int oldLength, byte[] header, boolean fixLength) {
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + b.length - 8 - oldLength).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(fixLength ? header.length : oldLength).put(header).put(b, 8 + oldLength, b.length - 8 - oldLength);
        return out.array();
    }

    @Test
    void everyMutationIsRefusedNamingTheFileOrReadValidly() throws IOException {
        byte[] base = original();
        int refused = 0, read = 0;
        for (int i = 0; i < CASES; i++) {
            SplittableRandom rng = new SplittableRandom(SEED + i);
            StringBuilder what = new StringBuilder();
            byte[] bytes = mutate(base, rng, what);
            Path f = dir.resolve("case-" + i + ".safetensors");
            Files.write(f, bytes);
            String label = "case " + i + " (seed " + (SEED + i) + "): " + what;
            Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> open(f), label + " hung");
            switch (o.kind()) {
                case REFUSED -> {
                    refused++;
                    assertThat(o.message()).as(label).contains(f.toString());
                }
                case READ -> read++;
                case OTHER -> fail(label + " threw " + o.message());
            }
        }
        // the mutations must exercise both outcomes, or the test proves little
        assertThat(refused).isGreaterThan(CASES / 2);
        assertThat(read).isPositive();
    }

    enum Kind { REFUSED, READ, OTHER }

    record Outcome(Kind kind, String message) {}

    /** Opens {@code f}; a successful read must cover the data section exactly and read every tensor's bytes. */
    static Outcome open(Path f) throws IOException {
        SafetensorsFile file;
        try {
            file = SafetensorsFile.open(f);
        } catch (IllegalArgumentException e) {
            return new Outcome(Kind.REFUSED, e.getMessage());
        } catch (RuntimeException | Error e) {
            return new Outcome(Kind.OTHER, e.toString());
        }
        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long covered = 0;
        for (Tensor t : file.tensors().values()) {
            covered += t.byteSize();
            ByteBuffer d = t.data();
            long sum = 0;
            for (int i = 0; i < d.limit(); i++) sum += d.get(i);
            assertThat(sum).isNotNull();
        }
        assertThat(covered).as(f + ": tensors cover the whole data section").isEqualTo(all.length - 8 - n);
        return new Outcome(Kind.READ, "");
    }
}
