package dev.editgate.gate.cli;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.gate.ModelChoice;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model} and {@code --revision}, shared by the commands that load one model; resolved as {@code gate} resolves them. */
public final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "M",
            description = "Checkpoint folder, a Hugging Face model id found in the local cache (e.g. EleutherAI/pythia-160m), or fixture:NAME"
                    + " (tiny, tiny-fp16, tiny-bf16, tiny-sequential, pythia-160m-shaped), as for gate.")
    String model;

    @Option(names = "--revision", paramLabel = "R", description = "Branch, tag (e.g. step143000) or commit of a cached model id (default: main).")
    String revision;

    public Path folder() {
        return ModelChoice.resolve(model, revision);
    }

    public Checkpoint load() {
        return Checkpoint.load(folder());
    }
}
