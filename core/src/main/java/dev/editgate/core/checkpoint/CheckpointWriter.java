package dev.editgate.core.checkpoint;

import dev.editgate.core.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/** Writes a checkpoint as a Hugging Face folder: config.json, model.safetensors, and tokenizer files copied. */
public final class CheckpointWriter {
    /** Files next to the weights that belong to the model and are copied verbatim. */
    public static final List<String> COMPANION_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "generation_config.json");

    private CheckpointWriter() {}

    /**
     * Writes {@code checkpoint} into {@code out} (created if missing). Refuses to write into the folder
     * the checkpoint's original tensors come from, so the user's files are never modified.
     */
    public static void write(Checkpoint checkpoint, Path out, Path companionsFrom, Map<String, String> metadata) {
        try {
            for (Path input : new Path[] {companionsFrom, checkpoint.source().orElse(null)}) {
                if (input != null && Files.exists(out) && Files.exists(input) && Files.isSameFile(out, input)) {
                    throw new IllegalArgumentException("--out " + out + " is the input model folder; choose a new folder "
                            + "(editgate never modifies the original checkpoint)");
                }
            }
            Files.createDirectories(out);
            Path originalConfig = companionsFrom == null ? null : companionsFrom.resolve("config.json");
            if (originalConfig != null && Files.isRegularFile(originalConfig)) {
                Files.copy(originalConfig, out.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
            } else {
                checkpoint.config().write(out.resolve("config.json"));
            }
            SafetensorsWriter.write(out.resolve(CheckpointLoader.SINGLE_FILE), checkpoint.tensors().values(), metadata);
            if (companionsFrom != null) {
                for (String f : COMPANION_FILES) {
                    Path src = companionsFrom.resolve(f);
                    if (Files.isRegularFile(src)) Files.copy(src, out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + out + ": " + e.getMessage(), e);
        }
    }
}
