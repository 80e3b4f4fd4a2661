package dev.editgate.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.editgate.core.files.InputFile;
import dev.editgate.core.files.JsonFiles;
import dev.editgate.core.model.Architectures;
import dev.editgate.core.model.ModelConfig;
import dev.editgate.core.model.TensorSpec;
import dev.editgate.core.safetensors.SafetensorsFile;
import dev.editgate.core.safetensors.Tensor;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Reads Hugging Face folders of every supported family, single-file or sharded, and checks every tensor of the family's table. */
final class CheckpointLoader {
    static final String SINGLE_FILE = "model.safetensors";
    static final String INDEX_FILE = "model.safetensors.index.json";

    private CheckpointLoader() {}

    static Checkpoint load(Path folder) {
        if (!Files.isDirectory(folder)) {
            String what = InputFile.exists(folder) ? InputFile.describe(folder).replace("regular file", "file") : "does not exist";
            throw new UncheckedIOException(folder + ": " + what + ", not a folder; expected a Hugging Face checkpoint folder with config.json and model.safetensors",
                    new NoSuchFileException(folder.toString()));
        }
        Path root = InputFile.modelRoot(folder);
        Path configFile = folder.resolve("config.json");
        if (InputFile.exists(configFile)) InputFile.check(configFile, "config.json", root, InputFile.MAX_SMALL_FILE);
        ModelConfig config = readConfig(configFile);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Path single = folder.resolve(SINGLE_FILE);
        Path index = folder.resolve(INDEX_FILE);
        if (InputFile.exists(single)) {
            tensors.putAll(SafetensorsFile.open(InputFile.check(single, SINGLE_FILE, root, Long.MAX_VALUE)).tensors());
        } else if (InputFile.exists(index)) {
            tensors.putAll(readShards(folder, index));
        } else {
            throw new UncheckedIOException(folder + ": no " + SINGLE_FILE + " or " + INDEX_FILE + " (editgate reads safetensors; convert .bin checkpoints with "
                            + "`python -c \"from transformers import AutoModelForCausalLM as M; M.from_pretrained('DIR').save_pretrained('DIR', safe_serialization=True)\"`)",
                    new NoSuchFileException(folder.resolve(SINGLE_FILE).toString()));
        }
        LayerCount.requireConfigMatches(folder, config, tensors.keySet());
        Checkpoint checkpoint = new Checkpoint(config, tensors, Optional.of(folder));
        validateShapes(folder, checkpoint);
        return checkpoint;
    }

    private static Map<String, Tensor> readShards(Path folder, Path index) {
        Path modelRoot = InputFile.modelRoot(folder);
        JsonNode root = JsonFiles.read(index, INDEX_FILE, modelRoot);
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new IllegalArgumentException(index + ": missing object 'weight_map' (tensor name -> shard file)");
        }
        Map<String, String> shardOf = new LinkedHashMap<>();
        weightMap.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(index + ": weight_map entry '" + e.getKey() + "' must be a shard file name, got " + e.getValue());
            }
            shardOf.put(e.getKey(), e.getValue().asText());
        });
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (String shard : new TreeSet<>(shardOf.values())) {
            Path p = folder.resolve(shard).normalize();
            if (!p.startsWith(folder.normalize())) throw new IllegalArgumentException(index + ": shard '" + shard + "' lies outside the folder");
            if (!InputFile.exists(p)) {
                throw new UncheckedIOException(index + ": weight_map names shard '" + shard + "', but " + p
                        + " does not exist (incomplete download?)", new NoSuchFileException(p.toString()));
            }
            shards.put(shard, SafetensorsFile.open(InputFile.check(p, "a safetensors shard", modelRoot, Long.MAX_VALUE)));
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        shardOf.forEach((name, shard) -> {
            SafetensorsFile f = shards.get(shard);
            if (!f.tensors().containsKey(name)) {
                throw new IllegalArgumentException(index + ": weight_map puts '" + name + "' in " + shard + ", which has no such tensor");
            }
            tensors.put(name, f.tensor(name));
        });
        return tensors;
    }

    /** Reads config.json of any supported family; errors name the file and the field. */
    static ModelConfig readConfig(Path file) {
        JsonNode root;
        try {
            root = JsonFiles.read(file, "config.json", null);
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) throw e;
            throw new UncheckedIOException(file + ": config.json not found; a Hugging Face checkpoint folder has one", e.getCause());
        }
        try {
            return Architectures.parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage().replaceFirst("^config\\.json: ", ""), e);
        }
    }

    private static void validateShapes(Path folder, Checkpoint ck) {
        for (TensorSpec spec : ck.layout().tensorTable()) {
            String name = spec.name();
            long[] shape = spec.shape();
            if (!ck.has(name)) {
                throw new IllegalArgumentException(folder + ": missing tensor '" + name + "' (expected shape "
                        + Arrays.toString(shape) + " from config.json)");
            }
            Tensor t = ck.tensor(name);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException(folder + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                        + "; config.json implies " + Arrays.toString(shape));
            }
            if (!t.dtype().isFloating()) {
                throw new IllegalArgumentException(folder + ": tensor '" + name + "' has dtype " + t.dtype()
                        + "; expected F16, BF16, F32 or F64");
            }
        }
    }
}
