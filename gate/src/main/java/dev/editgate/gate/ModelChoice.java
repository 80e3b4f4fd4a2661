package dev.editgate.gate;

import dev.editgate.core.checkpoint.ModelLocator;
import dev.editgate.fixtures.Fixtures;
import java.nio.file.Path;

/**
 * Resolves the {@code model} setting to a checkpoint folder: {@code fixture:NAME} (a generated fixture of any family,
 * {@code fixture:tiny} being the embedded default; names in {@link dev.editgate.fixtures.FixtureSpec#NAMED}), a folder,
 * or a Hugging Face model id found in the local cache.
 */
public final class ModelChoice {
    private ModelChoice() {}

    public static Path resolve(String model, String revision) {
        if (model.startsWith("shapes:")) {
            throw new IllegalArgumentException("--model " + model + ": shapes:FAMILY generates many models and is accepted by `editgate gate` only;"
                    + " name one model here (a folder, a cached model id or fixture:NAME)");
        }
        if (model.startsWith("fixture:")) {
            try {
                return Fixtures.named(model.substring("fixture:".length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--model " + model + ": " + e.getMessage(), e);
            }
        }
        return ModelLocator.fromEnvironment().resolve(model, revision);
    }
}
