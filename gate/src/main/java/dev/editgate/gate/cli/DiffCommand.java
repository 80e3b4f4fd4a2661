package dev.editgate.gate.cli;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.gate.ModelChoice;
import dev.editgate.core.edit.GptNeoxHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.structure.BitExactComparison;
import dev.editgate.core.structure.HeadBlockCorrespondence;
import dev.editgate.core.structure.Locality;
import dev.editgate.core.structure.TensorDifference;
import java.io.PrintStream;
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
        Checkpoint a = Checkpoint.load(ModelChoice.resolve(original, null));
        Checkpoint b = Checkpoint.load(ModelChoice.resolve(edited, null));
        PrintStream out = System.out;
        BitExactComparison.Result cmp = BitExactComparison.compare(a.tensors(), b.tensors());
        out.println("tensors: " + a.tensors().size() + " original, " + b.tensors().size() + " edited, "
                + cmp.differences().size() + " differ bit-wise");
        for (TensorDifference d : cmp.differences()) out.println("  " + d);
        boolean ok = true;
        Set<Integer> layers = new TreeSet<>();
        if (layer != null) {
            GptNeoxHeadPermutation.checkArguments(a.config(), layer, Permutation.identity(a.config().numAttentionHeads()));
            Locality.Result loc = Locality.check(a, b, GptNeoxHeadPermutation.touchedTensors(layer));
            out.println("locality (only layer " + layer + " QKV weight/bias and dense weight may change): "
                    + (loc.holds() ? "holds" : "VIOLATED by " + new TreeSet<>(loc.violations())));
            ok &= loc.holds();
            layers.add(layer);
        } else {
            for (int i = 0; i < a.config().numHiddenLayers(); i++) {
                final int li = i;
                if (GptNeoxHeadPermutation.touchedTensors(i).stream().anyMatch(cmp.changedNames()::contains)) layers.add(li);
            }
        }
        Permutation expected = perm == null ? null : CliPermutations.parse(perm, a.config().numAttentionHeads());
        for (int l : layers) {
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
}
