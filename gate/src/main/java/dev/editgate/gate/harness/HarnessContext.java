package dev.editgate.gate.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.runner.RunnerProcess;
import dev.editgate.core.tolerance.CalibratedTolerance;
import dev.editgate.core.tolerance.LogitComparison;
import dev.editgate.core.tolerance.LogitError;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * What the harness properties share: the runner, the original checkpoint and editgate's float64 forward of it, the
 * tolerance of the runner's declared dtype, the settings, and the edited models handed to the runner (written once
 * per permutation with editgate's built-in edit, or per parameter with the edit kind's reference edit; the few most
 * recent kept).
 */
public final class HarnessContext {
    private static final int KEPT_MODELS = 4;

    private final RunnerProcess runner;
    private final Checkpoint original;
    private final TransformerForward reference;
    private final CalibratedTolerance tolerance;
    private final HarnessSettings settings;
    private final List<int[][]> calibration;
    private final Map<Object, Path> edited = new LinkedHashMap<>(); // by head permutation, or by kind name and parameter
    private final Set<Integer> prefixTokens;
    private CalibratedTolerance half;
    private int made;

    HarnessContext(RunnerProcess runner, Checkpoint original, TransformerForward reference, HarnessSettings settings) {
        this.runner = runner;
        this.original = original;
        this.reference = reference;
        this.settings = settings;
        this.calibration = randomBatches(new Random(settings.seed() ^ 0x5EEDL), vocab(), settings.maxLength());
        this.tolerance = RunnerTolerance.calibrate(original, reference, runner.hello().dtype(), calibration);
        this.prefixTokens = bosCandidates(runner.originalFolder());
    }

    /** Two batches of random sequences, of the longest length and of half of it, for calibrating the tolerance. */
    static List<int[][]> randomBatches(Random r, int vocab, int length) {
        List<int[][]> out = new ArrayList<>();
        for (int len : new int[] {length, Math.max(1, length / 2)}) {
            int[][] b = new int[4][len];
            for (int[] row : b) for (int t = 0; t < len; t++) row[t] = r.nextInt(vocab);
            out.add(b);
        }
        return out;
    }

    private static Set<Integer> bosCandidates(Path folder) {
        Set<Integer> ids = new LinkedHashSet<>();
        try {
            JsonNode c = new ObjectMapper().readTree(folder.resolve("config.json").toFile());
            for (String key : new String[] {"bos_token_id", "eos_token_id", "pad_token_id"}) {
                if (c.path(key).isInt()) ids.add(c.get(key).intValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + folder.resolve("config.json"), e);
        }
        ids.add(0);
        return ids;
    }

    public RunnerProcess runner() { return runner; }

    public Checkpoint original() { return original; }

    public TransformerForward reference() { return reference; }

    public CalibratedTolerance tolerance() { return tolerance; }

    public HarnessSettings settings() { return settings; }

    public int vocab() { return original.config().vocabSize(); }

    public int heads() { return original.config().numAttentionHeads(); }

    public int layer() { return settings.layer(); }

    /** Token ids a harness might prepend as a BOS token: the config's bos/eos/pad ids, and 0. */
    public Set<Integer> prefixTokens() { return prefixTokens; }

    /** Whether {@code candidate} is within the runner's tolerance of {@code reference}. */
    public boolean close(Logits reference, Logits candidate) {
        return tolerance.accepts(LogitComparison.compare(reference, candidate, tolerance.dtype()));
    }

    public LogitError error(Logits reference, Logits candidate) {
        return LogitComparison.compare(reference, candidate, tolerance.dtype());
    }

    /** The float16 tolerance on the same sequences (for diagnosing a runner that computes in half precision), made once. */
    public CalibratedTolerance halfTolerance() {
        if (half == null) half = RunnerTolerance.calibrate(original, reference, "float16", calibration);
        return half;
    }

    /** The runner's folder of the original permuted by {@code perm} at the harness layer (editgate's built-in edit). */
    public Path permutedModel(Permutation perm) {
        return model(perm, "perm-", () -> BuiltInHeadPermutation.INSTANCE.permuteHeads(original, layer(), perm));
    }

    /**
     * The runner's folder of the original edited by {@code kind} with {@code p} at the harness layer (the kind's
     * reference edit); head permutations go through {@link #permutedModel}, exactly as before edit kinds.
     */
    public <P> Path editedModel(EditKind<P> kind, P p) {
        if (kind == EditKinds.HEAD_PERMUTATION) return permutedModel((Permutation) p);
        String key = kind.name() + " " + java.util.Arrays.toString(kind.encode(p));
        return model(key, kind.name() + "-", () -> kind.reference(original, layer(), p));
    }

    /** The model under {@code key}, written once (named {@code prefix} and a counter) and kept among the few most recent. */
    private Path model(Object key, String prefix, java.util.function.Supplier<Checkpoint> edit) {
        Path p = edited.remove(key);
        if (p == null) p = runner.addModel(prefix + (++made), edit.get());
        edited.put(key, p);
        while (edited.size() > KEPT_MODELS) {
            Map.Entry<Object, Path> oldest = edited.entrySet().iterator().next();
            runner.removeModel(oldest.getValue());
            edited.remove(oldest.getKey());
        }
        return p;
    }

    /** The batch {@code {ids}} as a one-row int[][]. */
    static int[][] one(int[] ids) {
        return new int[][] {ids};
    }
}
