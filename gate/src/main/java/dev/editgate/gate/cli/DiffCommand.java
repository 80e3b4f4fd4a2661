package dev.editgate.gate.cli;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.ModelLocator;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.gate.ModelChoice;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.structure.BitExactComparison;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import dev.editgate.core.structure.Locality;
import dev.editgate.core.structure.TensorDifference;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code editgate diff}: the structural comparison of an edited checkpoint with its original. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compares an edited checkpoint with its original bit for bit: which tensors changed, whether the",
                "change stays inside one layer's head tensors, and which original head block each edited block equals."})
final class DiffCommand implements Callable<Integer> {
    @Option(names = "--original", required = true, paramLabel = "A", description = "Original checkpoint folder, cached model id, or fixture:NAME.")
    String original;

    @Option(names = "--edited", required = true, paramLabel = "B", description = "Edited checkpoint folder (or cached model id, fixture:NAME).")
    String edited;

    @Option(names = "--layer", paramLabel = "L", description = "The layer the edit was meant to change (enables the locality check).")
    Integer layer;

    @Option(names = "--perm", paramLabel = "P", description = "The permutation the edit was meant to apply (checks every head block against it).")
    String perm;

    @Override
    public Integer call() {
        ModelLocator locator = ModelLocator.fromEnvironment();
        Checkpoint a = load(locator, original, "--original");
        Checkpoint b = load(locator, edited, "--edited");
        PrintStream out = System.out;
        BitExactComparison.Result cmp = BitExactComparison.compare(a.tensors(), b.tensors());
        out.println("tensors: " + a.tensors().size() + " original, " + b.tensors().size() + " edited, "
                + cmp.differences().size() + " differ bit-wise");
        for (TensorDifference d : cmp.differences()) out.println("  " + d);
        // a tensor that changed dtype or shape, or exists on one side only, is never structurally consistent
        List<TensorDifference> kindChanges = cmp.differences().stream()
                .filter(d -> d.kind() != TensorDifference.Kind.VALUES).toList();
        boolean ok = kindChanges.isEmpty();
        if (!ok) {
            out.println("not a weight edit: " + kindChanges.size() + " tensor(s) changed dtype or shape, or exist in one checkpoint only");
        }
        Set<Integer> layers = new TreeSet<>();
        if (layer != null) {
            try {
                BuiltInHeadPermutation.checkArguments(a, layer, Permutation.identity(a.config().numAttentionHeads()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().startsWith("--layer") ? e.getMessage() : "--layer: " + e.getMessage(), e);
            }
            Locality.Result loc = Locality.check(a, b, BuiltInHeadPermutation.touchedTensors(a, layer));
            out.println("locality (only layer " + layer + "'s head tensors " + BuiltInHeadPermutation.touchedTensors(a, layer) + " may change): "
                    + (loc.holds() ? "holds" : "VIOLATED by " + new TreeSet<>(loc.violations())));
            ok &= loc.holds();
            layers.add(layer);
        } else {
            for (int i = 0; i < a.config().numHiddenLayers(); i++) {
                final int li = i;
                if (BuiltInHeadPermutation.touchedTensors(a, i).stream().anyMatch(cmp.changedNames()::contains)) layers.add(li);
            }
        }
        Permutation expected = perm == null ? null : CliPermutations.parse(perm, a.config().numAttentionHeads());
        for (int l : layers) {
            if (!canCompareHeads(a, b, l)) {
                out.println("layer " + l + ": head blocks not compared (a head tensor changed dtype or shape)");
                continue;
            }
            HeadBlockCorrespondence hb = HeadBlockCorrespondence.compute(a, b, l);
            out.println("layer " + l + " head blocks (edited <- original):");
            out.print(HeadBlockTable.render(hb));
            var implied = hb.impliedPermutation();
            out.println("  implied permutation: " + implied.map(Permutation::toString).orElse("none (blocks do not move as whole heads)"));
            if (expected != null) {
                boolean consistent = hb.consistentWith(expected);
                out.println("  consistent with --perm " + expected.toCycleString() + ": " + (consistent ? "yes" : "NO"));
                ok &= consistent;
            }
        }
        out.println(ok ? "verdict: structurally consistent" : "verdict: structural check FAILED");
        return ok ? EditgateCli.EXIT_PASS : EditgateCli.EXIT_GATE_FAILED;
    }

    /** Loads the model named by {@code flag}; errors name that flag, not {@code --model}. */
    private static Checkpoint load(ModelLocator locator, String model, String flag) {
        java.nio.file.Path folder = model.startsWith("fixture:") ? ModelChoice.resolve(model, null) : locator.resolve(model, null, flag);
        try {
            return Checkpoint.load(folder);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException(flag + " " + model + ": " + UserErrorHandler.describe(e), e);
        }
    }

    private static boolean canCompareHeads(Checkpoint a, Checkpoint b, int layer) {
        for (String name : BuiltInHeadPermutation.touchedTensors(a, layer)) {
            if (!a.has(name) || !b.has(name)) return false;
            if (a.tensor(name).dtype() != b.tensor(name).dtype()
                    || !java.util.Arrays.equals(a.tensor(name).shape(), b.tensor(name).shape())) return false;
        }
        return true;
    }
}
