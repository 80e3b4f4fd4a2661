package dev.editgate.gate.cli;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.tokenize.TextTokenizer;
import dev.editgate.core.files.OutputPaths;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code editgate logits}: writes a prompt's float32 logits [T, V] to a safetensors file for cross-checks. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = {"Runs the model's forward (any supported family) on one prompt and writes float32 logits [T, V] (tensor 'logits')",
                "to a safetensors file, e.g. to compare with transformers: safetensors.torch.load_file(FILE)['logits']."})
final class LogitsCommand implements Callable<Integer> {
    @Mixin ModelOptions model;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Text, tokenized with the model folder's tokenizer.json (or --tokenizer).")
        String prompt;

        @Option(names = "--tokens", paramLabel = "IDS", split = ",", description = "Token ids, comma-separated (e.g. 1,2,3).")
        int[] tokens;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--dtype", paramLabel = "D", defaultValue = "fp32", description = "Compute dtype: fp64, fp32 or fp16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = dev.editgate.core.device.Devices.DEFAULT,
            description = "cpu, gpu or auto (default: ${DEFAULT-VALUE}, as for gate).")
    String device;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "A tokenizer.json to use instead of the model folder's.")
    Path tokenizer;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "Output .safetensors file: a new path or a regular file to replace, outside the model folder.")
    String outText;

    @Override
    public Integer call() {
        ComputeDtype dt = ComputeDtype.parse(dtype);
        Path folder = model.folder();
        Path out = OutputPaths.file("--out", outText, List.of(folder));
        int[] ids;
        if (input.tokens != null) {
            ids = input.tokens;
        } else {
            try (TextTokenizer tok = tokenizer != null ? TextTokenizer.fromFile(tokenizer) : TextTokenizer.fromFolder(folder)) {
                ids = tok.encode(input.prompt);
            } catch (UncheckedIOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(UserErrorHandler.describe(e) + " (or pass --tokens IDS instead of --prompt)", e);
            }
        }
        if (ids.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        Checkpoint ck = Checkpoint.load(folder);
        try (TransformerForward f = TransformerForward.load(ck, dt, device)) {
            Logits logits = f.logits(new int[][] {ids});
            logits.writeSafetensors(out);
            System.out.println("wrote " + out + ": logits float32 [" + logits.seq() + ", " + logits.vocab() + "] computed in "
                    + dt + " on " + dev.editgate.core.device.Devices.display(f.deviceName()) + " for tokens " + Arrays.toString(ids)
                    + "; argmax at last position " + logits.argmaxLast()[0]);
        }
        return EditgateCli.EXIT_PASS;
    }
}
