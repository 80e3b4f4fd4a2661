package dev.editgate.gate;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.checkpoint.FolderFingerprint;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.core.edit.Permutation;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.reports.model.HeadNorms;
import dev.editgate.reports.model.Heatmap;
import dev.editgate.reports.model.LogitErrors;
import dev.editgate.reports.model.Plots;
import dev.editgate.reports.model.Spectrum;
import dev.editgate.reports.model.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What every stage of one gate run shares: the settings, the original checkpoint (never modified), the
 * layer and head count, the edit under test, and the plot data the stages collect for the report.
 */
public final class GateSession implements AutoCloseable {
    private final GateConfig config;
    private final Path modelFolder;
    private final Checkpoint original;
    private final int layer;
    private final EditKind<?> kind;
    private final KindEdit<Object> edit;
    private final String editDescription;
    private final List<String> prompts;
    private final GateListener listener;
    private final FolderFingerprint integrity;
    /** The external edit's runner (its input copy is re-hashed at the end of every stage), or null. */
    private final dev.editgate.core.external.ExternalHeadPermutationEdit external;
    private final EditFailureTracker editFailures = new EditFailureTracker();
    private final EditResultCache editResults = new EditResultCache();
    private final java.util.concurrent.atomic.AtomicLong editCalls = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong editReuses = new java.util.concurrent.atomic.AtomicLong();
    private ForwardRuntime forward;
    private double functionalTolerance = Double.NaN;

    LogitErrors logitErrors;
    final List<HeadNorms> headNorms = new ArrayList<>();
    final List<Spectrum> spectra = new ArrayList<>();
    final List<Table> probeTables = new ArrayList<>();
    final List<Heatmap> heatmaps = new ArrayList<>();

    @SuppressWarnings("unchecked")
    <P> GateSession(GateConfig config, Path modelFolder, Checkpoint original, int layer, EditKind<P> kind, KindEdit<P> edit,
                String editDescription, List<String> prompts, GateListener listener,
                dev.editgate.core.external.ExternalHeadPermutationEdit external) {
        this.config = config;
        this.modelFolder = modelFolder;
        this.original = original;
        this.layer = layer;
        this.kind = kind;
        this.edit = (KindEdit<Object>) edit;
        this.editDescription = editDescription;
        this.prompts = List.copyOf(prompts);
        this.listener = listener;
        this.integrity = FolderFingerprint.of(modelFolder);
        this.external = external;
    }

    public GateConfig config() { return config; }

    public Path modelFolder() { return modelFolder; }

    public Checkpoint original() { return original; }

    public int layer() { return layer; }

    public int heads() { return original.config().numAttentionHeads(); }

    /** The kind of edit under test (head-permutation unless {@code --edit-kind} says otherwise). */
    public EditKind<?> kind() { return kind; }

    /** Whether the edit under test is the head permutation (whose stages keep their head-specific properties). */
    public boolean isHeadPermutation() { return kind == EditKinds.HEAD_PERMUTATION; }

    public String editDescription() { return editDescription; }

    public List<String> prompts() { return prompts; }

    public GateListener listener() { return listener; }

    /** How the edit fared during the current property (reset by each property before it runs). */
    public EditFailureTracker editFailures() { return editFailures; }

    /**
     * Applies the edit under test to the original and checks, cheaply, that the original files were not
     * touched (the full content check runs at the end of each stage, see {@link #verifyOriginalUnchanged()}).
     */
    public Checkpoint applyEdit(Object perm) {
        return applyEdit(original, perm);
    }

    /**
     * Applies the edit under test to {@code input} (the original, or an edited checkpoint for round trips). The edit
     * of the original runs once per permutation in a run: a later request gets the earlier result (see
     * {@link EditResultCache}); edits of an edited checkpoint (round trips, compositions), which no later property
     * asks for, are not kept, so their memory is free again at once. The input folder's metadata is checked after
     * every request, reused or not, so an edit that wrote into its input fails every property that asks for it, as
     * before.
     */
    public Checkpoint applyEdit(Checkpoint input, Object perm) {
        editFailures.called();
        int[] key = encode(perm);
        var cached = editResults.get(input, key);
        Checkpoint edited;
        if (cached.isPresent()) {
            edited = cached.get();
            editReuses.incrementAndGet();
        } else {
            editCalls.incrementAndGet();
            try {
                edited = edit.edit(input, layer, perm);
            } catch (RuntimeException | Error e) {
                editFailures.failed(e);
                throw e;
            }
            if (edited == null) throw new AssertionError("the edit returned no checkpoint (null) for " + format(perm));
        }
        var modified = integrity.changedMetadata();
        if (modified.isPresent()) {
            AssertionError e = new AssertionError("edit modified its input: " + modified.get());
            editFailures.failed(e); // the edit's own failure, as if it had thrown
            throw e;
        }
        // only edits of the original are asked for again (by the next properties); a round trip's second edit is not
        if (cached.isEmpty() && input == original) edited = editResults.put(input, key, edited);
        return edited;
    }

    @SuppressWarnings("unchecked")
    private int[] encode(Object params) { return ((EditKind<Object>) kind).encode(params); }

    /** A parameter of this run's kind as reports show it. */
    @SuppressWarnings("unchecked")
    public String format(Object params) { return ((EditKind<Object>) kind).format(params); }

    /** How often the edit under test actually ran in this gate run. */
    public long editCalls() { return editCalls.get(); }

    /** How many edit requests were answered with an earlier result of the same (input, permutation). */
    public long editReuses() { return editReuses.get(); }

    /** Hashes every file of the original folder again; fails with the file that changed. */
    public void verifyOriginalUnchanged() {
        integrity.changed().ifPresent(what -> {
            throw new AssertionError("edit modified its input: " + what);
        });
    }

    /**
     * For an external edit, re-hashes the input copy it was handed (its trials only compare the files' inode stamps,
     * see InputGuard); fails with {@code edit modified its input: ...}. Nothing to do for an edit that runs in the JVM.
     */
    public void verifyEditInputUnchanged() {
        if (external == null) return;
        try {
            external.verifyInputUnchanged();
        } catch (dev.editgate.core.external.ExternalEditException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** The shared forward passes, loaded on first use (the structural and numeric stages never need them). */
    public synchronized ForwardRuntime forward() {
        if (forward == null) {
            listener.phase("loading the forward passes (float64 reference and " + config.dtype() + ") and running the original on "
                    + prompts.size() + " prompts");
            forward = new ForwardRuntime(this);
        }
        return forward;
    }

    /** The functional stage's allowed max |Δlogit|, which the behavioural probes reuse; NaN before it ran. */
    public double functionalTolerance() { return functionalTolerance; }

    public void setFunctionalTolerance(double allowedMaxAbs) { functionalTolerance = allowedMaxAbs; }

    /** The device the forward passes ran on, or the JVM when no stage needed them. */
    public synchronized String deviceName() {
        return forward == null ? "jvm (no forward pass was needed)" : dev.editgate.core.device.Devices.display(forward.original().deviceName());
    }

    @Override
    public synchronized void close() {
        if (forward != null) forward.close();
        forward = null;
        editResults.clear();
    }

    public void addHeadNorms(HeadNorms n) { headNorms.add(n); }

    public void addSpectrum(Spectrum s) { spectra.add(s); }

    public void setLogitErrors(LogitErrors e) { logitErrors = e; }

    public void addProbeTable(Table t) { probeTables.add(t); }

    public void addHeatmap(Heatmap h) { heatmaps.add(h); }

    Plots plots() {
        return new Plots(logitErrors, headNorms, spectra, probeTables, heatmaps);
    }
}
