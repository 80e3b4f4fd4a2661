package dev.editgate.gate;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.GptNeoxNames;
import dev.editgate.core.numeric.NonFinite;
import dev.editgate.core.numeric.NonFiniteScan;
import dev.editgate.core.safetensors.Tensor;
import dev.editgate.core.tokenize.TextTokenizer;
import dev.editgate.gate.config.GateConfig;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * What the gate checks about its inputs before any stage starts, so that a problem of the input is reported
 * as one (exit 2) and never blamed on the edit: the original's weights are finite, and the tokenizer loads.
 */
final class InputModelCheck {
    private InputModelCheck() {}

    /** Fails on the first parameter holding NaN or infinity, naming the tensor and the first bad index. */
    static void requireFinite(Path folder, Checkpoint original) {
        for (Tensor t : original.tensors().values()) {
            if (GptNeoxNames.isBuffer(t.name()) || !t.dtype().isFloating()) continue;
            NonFiniteScan s = NonFinite.scan(t);
            if (s.isFinite()) continue;
            String kind = s.nanCount() > 0 && s.infCount() == 0 ? "NaN" : s.infCount() > 0 && s.nanCount() == 0 ? "Inf" : "NaN/Inf";
            throw new IllegalArgumentException(folder + ": tensor '" + t.name() + "' of the original model holds " + kind
                    + " at flat index " + s.firstIndex() + " (element " + index(t.shape(), s.firstIndex()) + " of "
                    + java.util.Arrays.toString(t.shape()) + "; " + s.nanCount() + " NaN and " + s.infCount() + " Inf in the tensor). "
                    + "The gate compares the edit against the original, so the original must be finite: this is a problem of the input "
                    + "model, not of the edit");
        }
    }

    /** Loads the tokenizer the forward stages will use, so that a missing or broken one is a setup error now. */
    static void requireTokenizer(GateConfig config, Path folder) {
        Path file = config.tokenizer() != null ? config.tokenizer() : folder.resolve("tokenizer.json");
        try (TextTokenizer ignored = TextTokenizer.fromFile(file)) {
            // loads and closes: the forward stages load it again when they run
        } catch (IllegalArgumentException | UncheckedIOException e) {
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new IllegalArgumentException(config.tokenizer() != null ? "--tokenizer " + msg
                    : msg + "; pass --tokenizer FILE to use another tokenizer.json", e);
        }
    }

    private static String index(long[] shape, long flat) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return java.util.Arrays.toString(idx);
    }
}
