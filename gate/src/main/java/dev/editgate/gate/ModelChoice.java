package dev.editgate.gate;

import dev.editgate.core.checkpoint.ModelLocator;
import dev.editgate.core.safetensors.DType;
import dev.editgate.fixtures.FixtureSpec;
import dev.editgate.fixtures.Fixtures;
import java.nio.file.Path;

/**
 * Resolves the {@code model} setting to a checkpoint folder: {@code fixture:tiny} (the embedded default,
 * generated on first use), {@code fixture:tiny-fp16}, {@code fixture:tiny-bf16}, {@code fixture:pythia-160m-shaped},
 * a folder, or a Hugging Face model id found in the local cache.
 */
public final class ModelChoice {
    private ModelChoice() {}

    public static Path resolve(String model, String revision) {
        if (model.startsWith("fixture:")) {
            String name = model.substring("fixture:".length());
            return switch (name) {
                case "tiny", "tiny-fp32" -> Fixtures.tiny(DType.F32);
                case "tiny-fp16" -> Fixtures.tiny(DType.F16);
                case "tiny-bf16" -> Fixtures.tiny(DType.BF16);
                case "tiny-sequential" -> Fixtures.materialize(FixtureSpec.tiny(DType.F32, false, 0.25));
                case "pythia-160m-shaped", "pythia" -> Fixtures.pythia160mShaped();
                default -> throw new IllegalArgumentException("--model " + model
                        + ": unknown fixture; expected fixture:tiny, fixture:tiny-fp16, fixture:tiny-bf16, fixture:tiny-sequential or fixture:pythia-160m-shaped");
            };
        }
        return ModelLocator.fromEnvironment().resolve(model, revision);
    }
}
