package dev.editgate.gate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.CheckpointWriter;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.fixtures.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile inputs through the CLI, one row each (issues 18 and 19): every case ends within seconds in the
 * expected exit code, with one line naming the file or flag and what is wrong, never a stack trace or a
 * raw exception name, and the model's own weights are unchanged afterwards.
 */
class HostileInputTest {
    @TempDir Path dir;

    /** A fresh copy of the tiny F32 fixture in {@code model}, plus a scratch folder. */
    record Ctx(Path dir, Path model) {
        Path file(String name) { return model.resolve(name); }
        String m() { return model.toString(); }
        String out(String name) { return dir.resolve(name).toString(); }
    }

    interface Setup {
        void apply(Ctx c) throws Exception;
    }

    record Case(String name, Setup setup, Function<Ctx, String[]> args, int exit, List<String> errContains) {
        @Override
        public String toString() { return name; }
    }

    static Case c(String name, Setup setup, Function<Ctx, String[]> args, int exit, String... errContains) {
        return new Case(name, setup, args, exit, List.of(errContains));
    }

    static String[] a(String... args) { return args; }

    static final Setup NONE = c -> { };

    static Function<Ctx, String[]> permute() {
        return c -> a("permute", "--model", c.m(), "--layer", "0", "--perm", "(0 1)", "--out", c.out("permuted"));
    }

    static Function<Ctx, String[]> gate(String... extra) {
        return c -> {
            String[] base = {"gate", "--model", c.m(), "--tries", "2", "--seed", "1", "--report", c.out("report")};
            String[] all = Arrays.copyOf(base, base.length + extra.length);
            System.arraycopy(extra, 0, all, base.length, extra.length);
            return all;
        };
    }

    static Stream<Case> cases() {
        return Stream.of(
                // issue 19 item 1: wrong weights must never be read silently
                c("header length one byte short", c -> headerLengthOneShort(c.file("model.safetensors")),
                        c -> a("logits", "--model", c.m(), "--tokens", "1,2", "--out", c.out("l.safetensors")), 2,
                        "model.safetensors", "1 byte after the last tensor"),
                c("data offsets 2^64 + begin", c -> rewriteHeader(c.file("model.safetensors"), HostileInputTest::wrapFirstOffsets),
                        permute(), 2, "model.safetensors", "data_offsets", "not an integer in [0, 2^63)"),
                c("invalid UTF-8 in the header", c -> rewriteHeaderBytes(c.file("model.safetensors"), HostileInputTest::invalidUtf8),
                        permute(), 2, "model.safetensors", "not valid UTF-8"),
                c("a gap between tensors", c -> rewriteHeader(c.file("model.safetensors"), HostileInputTest::dropFirstTensorEntry),
                        permute(), 2, "model.safetensors", "belong to no tensor"),
                // issue 18 item 1 / issue 19 item 8: special files are called what they are, never opened
                c("model.safetensors is a folder", c -> replaceWithFolder(c.file("model.safetensors")),
                        permute(), 2, "model.safetensors", "is a folder, not a regular file"),
                c("model.safetensors is a dangling link", c -> replaceWithLink(c.file("model.safetensors"), c.dir().resolve("gone")),
                        permute(), 2, "model.safetensors", "dangling symbolic link"),
                c("model.safetensors is a link loop", c -> replaceWithLink(c.file("model.safetensors"), c.file("model.safetensors")),
                        permute(), 2, "model.safetensors", "symbolic link loop"),
                c("model.safetensors is a FIFO", c -> replaceWithFifo(c.file("model.safetensors")),
                        permute(), 2, "model.safetensors", "is a FIFO (named pipe), not a regular file"),
                c("config.json is a FIFO", c -> replaceWithFifo(c.file("config.json")),
                        permute(), 2, "config.json", "is a FIFO (named pipe), not a regular file"),
                c("config.json is a folder", c -> replaceWithFolder(c.file("config.json")),
                        permute(), 2, "config.json", "is a folder, not a regular file"),
                c("model.safetensors links outside the folder", c -> moveOutAndLink(c, "model.safetensors"),
                        permute(), 2, "model.safetensors", "outside the model folder"),
                c("config.json links outside the folder", c -> moveOutAndLink(c, "config.json"),
                        permute(), 2, "config.json", "outside the model folder"),
                c("index json names a FIFO shard", HostileInputTest::shardIsFifo,
                        permute(), 2, "model-00001-of-00001.safetensors", "is a FIFO"),
                c("index json is not JSON", c -> shardedWithIndex(c, "{\"weight_map\": {,}"),
                        permute(), 2, "model.safetensors.index.json", "not valid JSON at line 1, column"),
                // issue 18: config sizes are bounded and checked against the tensors before anything is sized from them
                c("num_hidden_layers 2000000000", c -> editConfig(c, "\"num_hidden_layers\": 2000000000"),
                        permute(), 2, "config.json", "num_hidden_layers", "2000000000"),
                c("num_hidden_layers 5 with 2 layers of tensors", c -> editConfig(c, "\"num_hidden_layers\": 5"),
                        permute(), 2, "config.json", "num_hidden_layers 5", "2 layers"),
                // issue 19 item 6: wrongly typed values are errors, not defaults
                c("layer_norm_eps \"abc\"", c -> editConfig(c, "\"layer_norm_eps\": \"abc\""),
                        permute(), 2, "config.json", "layer_norm_eps", "must be a number"),
                c("use_parallel_residual \"no\"", c -> editConfig(c, "\"use_parallel_residual\": \"no\""),
                        permute(), 2, "config.json", "use_parallel_residual", "must be true or false"),
                c("attention_bias \"maybe\"", c -> editConfig(c, "\"attention_bias\": \"maybe\""),
                        permute(), 2, "config.json", "attention_bias", "must be true or false"),
                c("torch_dtype 5", c -> editConfig(c, "\"torch_dtype\": 5"),
                        permute(), 2, "config.json", "torch_dtype", "must be a string"),
                // issue 19 item 8: JSON errors in one line, without parser internals
                c("config.json is not JSON", c -> Files.writeString(c.file("config.json"), "{\"vocab_size\": 10,,}"),
                        permute(), 2, "config.json", "not valid JSON at line 1, column"),
                // issue 19 item 2: commands that write refuse the model folder and anything but a regular file or a new path
                c("logits --out MODEL/model.safetensors", NONE,
                        c -> a("logits", "--model", c.m(), "--tokens", "1,2", "--out", c.file("model.safetensors").toString()), 2,
                        "--out", "inside the input model folder"),
                c("logits --out MODEL", NONE,
                        c -> a("logits", "--model", c.m(), "--tokens", "1,2", "--out", c.m()), 2, "--out", "is a folder"),
                c("logits --out FIFO", c -> mkfifo(c.dir().resolve("pipe")),
                        c -> a("logits", "--model", c.m(), "--tokens", "1,2", "--out", c.out("pipe")), 2, "--out", "is a FIFO"),
                c("logits --out \"\"", NONE, c -> a("logits", "--model", c.m(), "--tokens", "1,2", "--out", ""), 2, "--out", "empty"),
                c("permute --out \"\"", NONE, c -> a("permute", "--model", c.m(), "--layer", "0", "--perm", "(0 1)", "--out", ""), 2,
                        "--out", "empty"),
                c("permute --out MODEL/sub", NONE,
                        c -> a("permute", "--model", c.m(), "--layer", "0", "--perm", "(0 1)", "--out", c.file("sub").toString()), 2,
                        "--out", "inside the input model folder"),
                c("permute --out a regular file", c -> Files.writeString(c.dir().resolve("f"), "x"),
                        c -> a("permute", "--model", c.m(), "--layer", "0", "--perm", "(0 1)", "--out", c.out("f")), 2,
                        "--out", "is a regular file, not a folder"),
                c("gate --report \"\"", NONE, c -> a("gate", "--model", c.m(), "--tries", "1", "--report", ""), 2, "--report", "empty"),
                c("gate --report MODEL", NONE, c -> a("gate", "--model", c.m(), "--tries", "1", "--report", c.m()), 2,
                        "--report", "model folder"),
                // issue 19 item 4
                c("--revision escapes the cache", NONE,
                        c -> a("permute", "--model", "EleutherAI/pythia-160m", "--revision", "../../../../x", "--layer", "0",
                                "--perm", "(0 1)", "--out", c.out("o")), 2, "--revision", "path separators"),
                // issue 19 item 7: a non-finite original is the input's problem, reported before the gate starts
                c("NaN in the original model", c -> poisonFirstElementOf(c, GptNeoxNames.mlpUpWeight(1)),
                        gate(), 2, "original model", GptNeoxNames.mlpUpWeight(1), "NaN", "flat index 3"),
                // issue 19 item 8 and issue 18 exit codes
                c("--config is a folder", c -> Files.createDirectories(c.dir().resolve("cfgdir")),
                        c -> a("gate", "--config", c.out("cfgdir")), 2, "--config", "cfgdir", "is a folder"),
                c("--config with a bad value", c -> Files.writeString(c.dir().resolve("g.properties"), "tries=abc\n"),
                        c -> a("gate", "--config", c.out("g.properties")), 2, "g.properties", "tries"),
                c("diff names its own flags", NONE,
                        c -> a("diff", "--original", c.out("nowhere"), "--edited", c.m()), 2, "--original"),
                c("gate hint never suggests --tokens", c -> Files.delete(c.file("tokenizer.json")), gate(), 2,
                        "tokenizer.json", "--tokenizer"),
                c("--tokenizer is not a tokenizer", c -> Files.writeString(c.dir().resolve("tok.json"), "hello"),
                        c -> gate("--tokenizer", c.out("tok.json")).apply(c), 2, "--tokenizer", "tok.json"),
                c("--time-budget -5s", NONE, gate("--time-budget", "-5s"), 2, "--time-budget", "positive"),
                // issue 19 item 9
                c("diff without --perm and a changed dtype", HostileInputTest::finalNormToF16,
                        c -> a("diff", "--original", c.out("orig"), "--edited", c.m()), 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void endsCleanly(Case k) throws Exception {
        Path model = dir.resolve("model");
        Fixtures.write(FixtureSpec.tiny(DType.F32), model);
        Fixtures.write(FixtureSpec.tiny(DType.F32), dir.resolve("orig"));
        Ctx ctx = new Ctx(dir, model);
        k.setup().apply(ctx);
        byte[] weightsBefore = Files.isRegularFile(model.resolve("model.safetensors"), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? Files.readAllBytes(model.resolve("model.safetensors")) : null;
        EditgateCliTest.Run r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> EditgateCliTest.run(k.args().apply(ctx)));
        String err = r.err().strip();
        assertThat(r.exit()).as("exit code; stdout:\n%s\nstderr:\n%s", r.out(), err).isEqualTo(k.exit());
        for (String s : k.errContains()) assertThat(err).as("stderr").contains(s);
        assertThat(err).as("stderr").doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("Source:");
        if (k.args().apply(ctx)[0].equals("gate")) assertThat(err).as("the gate has no --tokens flag").doesNotContain("--tokens");
        if (k.exit() == EditgateCli.EXIT_USAGE) assertThat(err.lines().count()).as("one line: " + err).isEqualTo(1);
        if (k.exit() == EditgateCli.EXIT_GATE_FAILED) {
            assertThat(r.out()).doesNotContain("structurally consistent").contains("DTYPE").contains("FAILED");
        }
        if (weightsBefore != null) assertThat(Files.readAllBytes(model.resolve("model.safetensors"))).isEqualTo(weightsBefore);
    }

    /**
     * Seeded random mutations of model.safetensors through the CLI (issue 18 item 5): each ends in exit 2 with one
     * line naming the file, or in a valid read (exit 0), within seconds; never a stack trace or another exit code.
     */
    @org.junit.jupiter.api.Test
    void randomHeaderMutationsExitTwoOrReadValidly() throws Exception {
        Path model = dir.resolve("model");
        Fixtures.write(FixtureSpec.tiny(DType.F32), model);
        Path weights = model.resolve("model.safetensors");
        byte[] original = Files.readAllBytes(weights);
        int n = (int) ByteBuffer.wrap(original, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int refused = 0;
        for (int i = 0; i < 60; i++) {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(1800 + i);
            byte[] b = original.clone();
            String what;
            switch (rng.nextInt(4)) {
                case 0 -> {
                    int at = 8 + rng.nextInt(n);
                    b[at] ^= (byte) (1 << rng.nextInt(8));
                    what = "bit flip in header byte " + at;
                }
                case 1 -> {
                    int delta = rng.nextInt(-9, 10);
                    ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n + delta);
                    what = "header length " + delta;
                }
                case 2 -> {
                    int len = rng.nextInt(b.length);
                    b = Arrays.copyOf(b, len);
                    what = "truncated to " + len;
                }
                default -> {
                    String digits = "0123456789";
                    int at = 8 + rng.nextInt(n);
                    b[at] = (byte) digits.charAt(rng.nextInt(10));
                    what = "header byte " + at + " := digit";
                }
            }
            Files.write(weights, b);
            String label = "mutation " + i + " (seed " + (1800 + i) + "): " + what;
            String out = dir.resolve("out-" + i).toString();
            EditgateCliTest.Run r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> EditgateCliTest.run("permute", "--model", model.toString(), "--layer", "0", "--perm", "(0 1)", "--out", out));
            assertThat(r.exit()).as(label + ": " + r.err()).isIn(EditgateCli.EXIT_PASS, EditgateCli.EXIT_USAGE);
            if (r.exit() == EditgateCli.EXIT_USAGE) {
                refused++;
                assertThat(r.err().strip()).as(label).startsWith("editgate permute: " + model).doesNotContain("Exception");
                assertThat(r.err().strip().lines().count()).as(label).isEqualTo(1);
            } else {
                assertThat(Files.isRegularFile(Path.of(out, "model.safetensors"))).as(label).isTrue();
            }
        }
        assertThat(refused).isGreaterThan(30);
    }

    /** A Hugging Face cache snapshot links its files into ../../blobs: that stays inside the model's repository folder. */
    @org.junit.jupiter.api.Test
    void cacheSnapshotLinksIntoBlobsAreAccepted() throws Exception {
        Path repo = dir.resolve("hub/models--EleutherAI--tiny");
        Path snapshot = repo.resolve("snapshots/0123456789abcdef0123456789abcdef01234567");
        Files.createDirectories(snapshot);
        Files.createDirectories(repo.resolve("blobs"));
        Path generated = dir.resolve("generated");
        Fixtures.write(FixtureSpec.tiny(DType.F32), generated);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.move(generated.resolve(f), repo.resolve("blobs/" + f.hashCode()));
            Files.createSymbolicLink(snapshot.resolve(f), Path.of("../../blobs/" + f.hashCode()));
        }
        EditgateCliTest.Run r = EditgateCliTest.run("permute", "--model", snapshot.toString(), "--layer", "0", "--perm", "(0 1)",
                "--out", dir.resolve("p").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        EditgateCliTest.Run inside = EditgateCliTest.run("permute", "--model", snapshot.toString(), "--layer", "0", "--perm", "(0 1)",
                "--out", repo.resolve("blobs/new").toString());
        assertThat(inside.exit()).isEqualTo(EditgateCli.EXIT_USAGE);
        assertThat(inside.err()).contains("lies inside the input model folder " + repo.toRealPath());
    }

    // ---- setups -------------------------------------------------------------------------------------------

    static void mkfifo(Path p) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat(pr.waitFor()).isZero();
    }

    static void replaceWithFifo(Path p) throws Exception {
        Files.delete(p);
        mkfifo(p);
    }

    static void replaceWithFolder(Path p) throws IOException {
        Files.delete(p);
        Files.createDirectories(p);
    }

    static void replaceWithLink(Path p, Path target) throws IOException {
        Files.delete(p);
        Files.createSymbolicLink(p, target);
    }

    static void moveOutAndLink(Ctx c, String name) throws IOException {
        Path outside = c.dir().resolve("outside-" + name);
        Files.move(c.file(name), outside);
        Files.createSymbolicLink(c.file(name), outside);
    }

    static void shardedWithIndex(Ctx c, String index) throws IOException {
        Files.move(c.file("model.safetensors"), c.file("model-00001-of-00001.safetensors"));
        Files.writeString(c.file("model.safetensors.index.json"), index);
    }

    static void shardIsFifo(Ctx c) throws Exception {
        Files.delete(c.file("model.safetensors"));
        mkfifo(c.file("model-00001-of-00001.safetensors"));
        Files.writeString(c.file("model.safetensors.index.json"),
                "{\"weight_map\": {\"" + GptNeoxNames.EMBED_IN + "\": \"model-00001-of-00001.safetensors\"}}");
    }

    static void editConfig(Ctx c, String keyValue) throws IOException {
        String key = keyValue.substring(0, keyValue.indexOf(':'));
        String json = Files.readString(c.file("config.json"));
        String edited = json.replaceFirst(Pattern.quote(key) + "\\s*:\\s*[^,\\n}]+", Matcher.quoteReplacement(keyValue));
        assertThat(edited).as("config edit " + keyValue).isNotEqualTo(json);
        Files.writeString(c.file("config.json"), edited);
    }

    static void poisonFirstElementOf(Ctx c, String tensor) throws IOException {
        Checkpoint ck = Checkpoint.load(c.model());
        Tensor t = ck.tensor(tensor);
        double[] v = new double[(int) t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = t.getDouble(i);
        v[3] = Double.NaN;
        Path tmp = c.dir().resolve("poisoned");
        CheckpointWriter.write(ck.withTensors(Map.of(tensor, Tensor.of(tensor, t.dtype(), t.shape(), v))), tmp, c.model(), Map.of());
        Files.move(tmp.resolve("model.safetensors"), c.file("model.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static void finalNormToF16(Ctx c) {
        Checkpoint ck = Checkpoint.load(c.model());
        Tensor t = ck.tensor(GptNeoxNames.FINAL_LN_WEIGHT);
        double[] v = new double[(int) t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = t.getDouble(i);
        Path tmp = c.dir().resolve("f16");
        CheckpointWriter.write(ck.withTensors(Map.of(t.name(), Tensor.of(t.name(), DType.F16, t.shape(), v))), tmp, c.model(), Map.of());
        try {
            Files.move(tmp.resolve("model.safetensors"), c.file("model.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The header grows by 8 spaces of padding while its length field grows by 7: the data section starts one byte early. */
    static void headerLengthOneShort(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] header = Arrays.copyOfRange(b, 8, 8 + (int) n);
        byte[] data = Arrays.copyOfRange(b, 8 + (int) n, b.length);
        byte[] padded = Arrays.copyOf(header, header.length + 8);
        Arrays.fill(padded, header.length, padded.length, (byte) ' ');
        write(f, padded.length - 1, padded, data);
    }

    static void rewriteHeader(Path f, UnaryOperator<String> edit) throws IOException {
        rewriteHeaderBytes(f, h -> edit.apply(new String(h, StandardCharsets.UTF_8).strip()).getBytes(StandardCharsets.UTF_8));
    }

    static void rewriteHeaderBytes(Path f, UnaryOperator<byte[]> edit) throws IOException {
        byte[] b = Files.readAllBytes(f);
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] header = edit.apply(Arrays.copyOfRange(b, 8, 8 + n));
        byte[] padded = Arrays.copyOf(header, (header.length + 7) / 8 * 8);
        Arrays.fill(padded, header.length, padded.length, (byte) ' ');
        write(f, padded.length, padded, Arrays.copyOfRange(b, 8 + n, b.length));
    }

    static void write(Path f, long headerLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerLength).put(header).put(data);
        Files.write(f, out.array());
    }

    /** The tensor at offset 0 gets offsets [2^64, 2^64 + end], which wrap to [0, end] when read as a 64-bit long. */
    static String wrapFirstOffsets(String header) {
        Matcher m = Pattern.compile("\"data_offsets\":\\[0,(\\d+)]").matcher(header);
        assertThat(m.find()).isTrue();
        BigInteger two64 = BigInteger.ONE.shiftLeft(64);
        return header.substring(0, m.start()) + "\"data_offsets\":[" + two64 + "," + two64.add(new BigInteger(m.group(1))) + "]"
                + header.substring(m.end());
    }

    /** Removes the entry of the tensor at offset 0, so its bytes belong to no tensor. */
    static String dropFirstTensorEntry(String header) {
        Matcher m = Pattern.compile("\"[^\"]+\":\\{\"dtype\":\"[A-Z0-9]+\",\"shape\":\\[[0-9,]*],\"data_offsets\":\\[0,\\d+]},?").matcher(header);
        assertThat(m.find()).isTrue();
        return header.substring(0, m.start()) + header.substring(m.end());
    }

    /** Adds the metadata entry "bad\u00ff..." whose key holds a lone 0xFF byte, which is never valid UTF-8. */
    static byte[] invalidUtf8(byte[] header) {
        String h = new String(header, StandardCharsets.UTF_8).strip();
        int at = h.indexOf("\"format\"");
        assertThat(at).isPositive();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.substring(0, at).getBytes(StandardCharsets.UTF_8));
        out.writeBytes("\"bad".getBytes(StandardCharsets.UTF_8));
        out.write(0xFF);
        out.writeBytes("\":\"x\",".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(h.substring(at).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
