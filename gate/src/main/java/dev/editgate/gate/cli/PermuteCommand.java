package dev.editgate.gate.cli;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.CheckpointWriter;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code editgate permute}: writes a correctly head-permuted copy of a checkpoint. */
@Command(name = "permute", mixinStandardHelpOptions = true,
        description = {"Writes a copy of the model with the attention heads of one layer permuted correctly",
                "(new head i = old head P(i)); config and tokenizer files are copied, the input is never modified."})
final class PermuteCommand implements Callable<Integer> {
    @Mixin ModelOptions model;

    @Option(names = "--layer", required = true, paramLabel = "L", description = "Layer index (0-based).")
    int layer;

    @Option(names = "--perm", required = true, paramLabel = "P",
            description = "Permutation as an image list [1,0,2,...] (new head i = old head P[i]) or cycles (0 1)(2 5 3).")
    String perm;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created; must not be the input folder).")
    Path out;

    @Override
    public Integer call() {
        Path folder = model.folder();
        Checkpoint original = Checkpoint.load(folder);
        BuiltInHeadPermutation.checkArguments(original, layer, Permutation.identity(original.config().numAttentionHeads()));
        Permutation p = CliPermutations.parse(perm, original.config().numAttentionHeads());
        Checkpoint edited = BuiltInHeadPermutation.INSTANCE.permuteHeads(original, layer, p);
        CheckpointWriter.write(edited, out, folder, Map.of("format", "pt",
                "editgate", "permute --layer " + layer + " --perm " + p.toImageString()));
        System.out.println("wrote " + out + ": layer " + layer + " heads permuted by " + p.toCycleString()
                + " = " + p.toImageString() + " (new head i = old head P[i])");
        return EditgateCli.EXIT_PASS;
    }
}
