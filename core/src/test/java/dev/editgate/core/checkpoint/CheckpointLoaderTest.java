package dev.editgate.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.SafetensorsWriter;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.core.structure.BitExactComparison;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLoaderTest {
    @TempDir Path dir;

    Path saved(Checkpoint ck, String name) {
        Path out = dir.resolve(name);
        CheckpointWriter.write(ck, out, null, Map.of("format", "pt"));
        return out;
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void writeThenLoadIsBitExactForEveryFloatDtype() {
        for (DType d : new DType[] {DType.F64, DType.F32, DType.F16, DType.BF16}) {
            Checkpoint ck = TestCheckpoints.random(TestCheckpoints.config(d), d, 10);
            Checkpoint back = Checkpoint.load(saved(ck, "m-" + d));
            assertThat(back.config()).isEqualTo(ck.config());
            assertThat(BitExactComparison.compare(ck.tensors(), back.tensors()).identical()).as(d.name()).isTrue();
            assertThat(back.names()).containsExactlyElementsOf(ck.names());
            assertThat(back.source()).contains(dir.resolve("m-" + d));
            assertThat(back.tensors().values()).allMatch(t -> t.data().isDirect());
        }
    }

    @Test
    void permuteWriteReadInverseIsBitExactAndInputFilesAreNeverWritten() throws Exception {
        Checkpoint ck = TestCheckpoints.random(TestCheckpoints.config(DType.F16), DType.F16, 11);
        Path in = saved(ck, "in");
        Files.writeString(in.resolve("tokenizer.json"), "{}");
        Path weights = in.resolve("model.safetensors");
        String hash = sha256(weights);
        var mtime = Files.getLastModifiedTime(weights);
        // read-only input folder and files: loading, editing and writing elsewhere must still work
        Files.setPosixFilePermissions(weights, PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(in.resolve("config.json"), PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Checkpoint original = Checkpoint.load(in);
            Permutation p = Permutation.parse("(0 1 2)(3 5)", 6);
            Path out = dir.resolve("out");
            CheckpointWriter.write(BuiltInHeadPermutation.INSTANCE.permuteHeads(original, 1, p), out, in, Map.of("k", "v"));
            assertThat(out.resolve("tokenizer.json")).hasContent("{}");
            assertThat(Files.readString(out.resolve("config.json"))).isEqualTo(Files.readString(in.resolve("config.json")));
            Checkpoint edited = Checkpoint.load(out);
            Checkpoint back = BuiltInHeadPermutation.INSTANCE.permuteHeads(edited, 1, p.inverse());
            assertThat(BitExactComparison.compare(original.tensors(), back.tensors()).identical()).isTrue();
            assertThat(BitExactComparison.compare(original.tensors(), edited.tensors()).changedNames())
                    .containsExactlyInAnyOrderElementsOf(BuiltInHeadPermutation.touchedTensors(original, 1));
            assertThatThrownBy(() -> CheckpointWriter.write(edited, in, in, Map.of()))
                    .hasMessageContaining("--out " + in + " is the input model folder");
        } finally {
            Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        assertThat(sha256(weights)).isEqualTo(hash);
        assertThat(Files.getLastModifiedTime(weights)).isEqualTo(mtime);
    }

    @Test
    void writerRefusesTheFolderTheCheckpointWasLoadedFrom() throws Exception {
        Path in = saved(TestCheckpoints.random(TestCheckpoints.config(DType.F32), DType.F32, 15), "src");
        String hash = sha256(in.resolve("model.safetensors"));
        Checkpoint loaded = Checkpoint.load(in);
        assertThatThrownBy(() -> CheckpointWriter.write(loaded, in, null, Map.of()))
                .hasMessageContaining("is the input model folder");
        assertThat(sha256(in.resolve("model.safetensors"))).isEqualTo(hash);
    }

    @Test
    void shardedCheckpointsReadTransparently() throws IOException {
        Checkpoint ck = TestCheckpoints.random(TestCheckpoints.config(DType.F32), DType.F32, 12);
        Path folder = dir.resolve("sharded");
        Files.createDirectories(folder);
        ck.config().write(folder.resolve("config.json"));
        List<Tensor> a = new ArrayList<>(), b = new ArrayList<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        int i = 0;
        for (Tensor t : ck.tensors().values()) {
            boolean first = i++ % 2 == 0;
            (first ? a : b).add(t);
            weightMap.put(t.name(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        SafetensorsWriter.write(folder.resolve("model-00001-of-00002.safetensors"), a, Map.of("format", "pt"));
        SafetensorsWriter.write(folder.resolve("model-00002-of-00002.safetensors"), b, Map.of("format", "pt"));
        Map<String, Object> index = new HashMap<>();
        index.put("metadata", Map.of("total_size", 0));
        index.put("weight_map", weightMap);
        Files.writeString(folder.resolve("model.safetensors.index.json"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(index));
        Checkpoint back = Checkpoint.load(folder);
        assertThat(BitExactComparison.compare(ck.tensors(), back.tensors()).identical()).isTrue();

        Files.delete(folder.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> Checkpoint.load(folder)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("model.safetensors.index.json")
                .hasMessageContaining("weight_map names shard 'model-00002-of-00002.safetensors'")
                .hasMessageContaining("does not exist");

        Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"x\": \"../evil.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.load(folder)).hasMessageContaining("lies outside the folder");
        Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"nope\": \"model-00001-of-00002.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.load(folder)).hasMessageContaining("weight_map puts 'nope' in model-00001-of-00002.safetensors, which has no such tensor");
        Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"metadata\": {}}");
        assertThatThrownBy(() -> Checkpoint.load(folder)).hasMessageContaining("missing object 'weight_map'");
        Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"weight_map\": ");
        assertThatThrownBy(() -> Checkpoint.load(folder)).hasMessageContaining("model.safetensors.index.json: not valid JSON");
    }

    @Test
    void acceptsBuffersAndLmHead() {
        GptNeoxConfig c = TestCheckpoints.config(DType.F16);
        Checkpoint ck = TestCheckpoints.random(c, DType.F16, 13);
        Map<String, Tensor> ts = new LinkedHashMap<>();
        ck.tensors().forEach((n, t) -> ts.put(n.equals(GptNeoxNames.EMBED_OUT) ? GptNeoxNames.LM_HEAD : n,
                n.equals(GptNeoxNames.EMBED_OUT) ? t.renamed(GptNeoxNames.LM_HEAD) : t));
        ByteBuffer mask = ByteBuffer.allocateDirect(16);
        for (int k = 0; k < 16; k++) mask.put(k, (byte) (k % 5 == 0 ? 1 : 0));
        ts.put("gpt_neox.layers.0.attention.bias", new Tensor("gpt_neox.layers.0.attention.bias", DType.BOOL, new long[] {1, 1, 4, 4}, mask));
        ts.put("gpt_neox.layers.0.attention.masked_bias", Tensor.of("gpt_neox.layers.0.attention.masked_bias", DType.F32, new long[] {}, new double[] {-1e9}));
        ts.put("gpt_neox.layers.0.attention.rotary_emb.inv_freq", Tensor.of("gpt_neox.layers.0.attention.rotary_emb.inv_freq", DType.F32, new long[] {1}, new double[] {1}));
        Checkpoint withBuffers = new Checkpoint(c.toModelConfig(), ts, java.util.Optional.empty());
        Checkpoint back = Checkpoint.load(saved(withBuffers, "buffers"));
        assertThat(back.unembedding().name()).isEqualTo(GptNeoxNames.LM_HEAD);
        assertThat(back.tensor("gpt_neox.layers.0.attention.bias").bitEquals(ts.get("gpt_neox.layers.0.attention.bias"))).isTrue();
        assertThat(back.parameterCount()).isEqualTo(ck.parameterCount());
        assertThat(GptNeoxNames.isBuffer("gpt_neox.layers.0.attention.bias")).isTrue();
        assertThat(GptNeoxNames.isBuffer(GptNeoxNames.qkvBias(0))).isFalse();
        // a permutation keeps the buffers, shared
        Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(back, 0, Permutation.parse("(0 1)", 6));
        assertThat(edited.tensor("gpt_neox.layers.0.attention.bias")).isSameAs(back.tensor("gpt_neox.layers.0.attention.bias"));
    }

    @Test
    void parameterCountOfPythia160mShapes() {
        // 162,322,944 parameters (GUIDE §2), from the config alone
        GptNeoxConfig c = GptNeoxConfig.pythia160m();
        long h = c.hiddenSize(), v = c.vocabSize(), ff = c.intermediateSize();
        long perLayer = 4 * h + (3 * h * h + 3 * h) + (h * h + h) + (ff * h + ff) + (h * ff + h);
        assertThat(2 * v * h + c.numHiddenLayers() * perLayer + 2 * h).isEqualTo(162_322_944L);
    }

    @Test
    void missingOrMisshapenTensorsAreNamed() {
        GptNeoxConfig c = TestCheckpoints.config(DType.F32);
        Checkpoint ck = TestCheckpoints.random(c, DType.F32, 14);
        Map<String, Tensor> ts = new LinkedHashMap<>(ck.tensors());
        ts.remove(GptNeoxNames.denseWeight(1));
        Path missing = saved(new Checkpoint(c.toModelConfig(), ts, java.util.Optional.empty()), "missing");
        assertThatThrownBy(() -> Checkpoint.load(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("missing tensor 'gpt_neox.layers.1.attention.dense.weight' (expected shape [24, 24] from config.json)");
        ts = new LinkedHashMap<>(ck.tensors());
        ts.put(GptNeoxNames.qkvBias(0), Tensor.of(GptNeoxNames.qkvBias(0), DType.F32, new long[] {24}, new double[24]));
        Path shape = saved(new Checkpoint(c.toModelConfig(), ts, java.util.Optional.empty()), "shape");
        assertThatThrownBy(() -> Checkpoint.load(shape))
                .hasMessageContaining("tensor 'gpt_neox.layers.0.attention.query_key_value.bias' has shape [24]; config.json implies [72]");
        ts = new LinkedHashMap<>(ck.tensors());
        ts.put(GptNeoxNames.denseBias(0), new Tensor(GptNeoxNames.denseBias(0), DType.I32, new long[] {24}, ByteBuffer.allocateDirect(96)));
        Path ints = saved(new Checkpoint(c.toModelConfig(), ts, java.util.Optional.empty()), "ints");
        assertThatThrownBy(() -> Checkpoint.load(ints)).hasMessageContaining("has dtype I32; expected F16, BF16, F32 or F64");
        assertThatThrownBy(() -> ck.tensor("nope")).hasMessageContaining("checkpoint (in memory) has no tensor 'nope'");
        assertThatThrownBy(() -> ck.withTensors(Map.of("nope", ck.tensor(GptNeoxNames.EMBED_IN))))
                .hasMessageContaining("cannot replace tensor 'nope'");
    }

    @Test
    void folderProblemsAreExplained() throws IOException {
        Path notThere = dir.resolve("absent");
        assertThatThrownBy(() -> Checkpoint.load(notThere)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(notThere.toString()).hasMessageContaining("not a folder");
        Path noWeights = dir.resolve("noweights");
        Files.createDirectories(noWeights);
        TestCheckpoints.config(DType.F32).write(noWeights.resolve("config.json"));
        assertThatThrownBy(() -> Checkpoint.load(noWeights)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("no model.safetensors or model.safetensors.index.json");
        Path noConfig = dir.resolve("noconfig");
        Files.createDirectories(noConfig);
        assertThatThrownBy(() -> Checkpoint.load(noConfig)).hasMessageContaining("config.json not found");
    }
}
