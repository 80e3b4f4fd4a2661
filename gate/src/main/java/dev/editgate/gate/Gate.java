package dev.editgate.gate;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.HeadPermutationEdit;
import dev.editgate.core.edit.KindEdit;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.files.OutputPaths;
import dev.editgate.core.external.ExternalHeadPermutationEdit;
import dev.editgate.gate.setup.EditCommandPreflight;
import dev.editgate.gate.setup.Preflight;
import dev.editgate.fixtures.mutants.Mutant;
import dev.editgate.gate.config.EditChoice;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.harness.HarnessStage;
import dev.editgate.gate.stage.BehaviouralStage;
import dev.editgate.gate.stage.FunctionalStage;
import dev.editgate.gate.stage.GateProperty;
import dev.editgate.gate.stage.NumericStage;
import dev.editgate.gate.stage.Stage;
import dev.editgate.gate.stage.StructuralStage;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the gate: structural → numeric → functional → behavioural. A stage runs only when every stage
 * before it passed; otherwise it is reported as skipped, with why. The result is a {@link GateReport}.
 */
public final class Gate {
    private final GateConfig config;
    /** The model as the user named it; differs from {@code config.model()} when the gate made a private copy. */
    private final String userModel;
    private final GateListener listener;
    private String rerunLine;

    public Gate(GateConfig config, GateListener listener) {
        this.userModel = config.model();
        this.config = protectFromInputMutation(config);
        this.listener = listener;
    }

    /**
     * Replaces the report's rerun line (by default the {@code ./editgate gate} command for this configuration),
     * e.g. with the Maven command that reruns a JUnit contract.
     */
    public Gate rerunLine(String command) {
        this.rerunLine = command;
        return this;
    }

    /** The stages, in order. */
    public static List<Stage> stages() {
        return List.of(new StructuralStage(), new NumericStage(), new FunctionalStage(), new BehaviouralStage());
    }

    /** Runs the gate with the edit named by the configuration. */
    public GateReport run() {
        try {
            // before an external edit copies the model for its command
            Preflight.reportFolderWritable(config.reportDir());
            Preflight.deviceAvailable(config.device());
            try (EditUnderTest edit = EditUnderTest.resolve(config)) {
                return edit.edit() != null ? run(edit.edit(), edit.description()) : runKind(edit.kind(), edit.kindEdit(), edit.description(), stages());
            }
        } finally {
            if (!config.model().equals(userModel)) PrivateModelCopy.delete(Path.of(config.model()));
        }
    }

    /** The mutant that writes over its input gets a private copy of the model, so a demo never damages the user's folder. */
    static GateConfig protectFromInputMutation(GateConfig config) {
        if (config.edit().kind() != EditChoice.Kind.MUTANT || EditUnderTest.mutant(config.edit().value()) != Mutant.MUTATES_INPUT) return config;
        Path copy = PrivateModelCopy.of(ModelChoice.resolve(config.model(), config.revision()));
        Map<GateKey, String> explicit = new EnumMap<>(config.explicit());
        explicit.put(GateKey.MODEL, copy.toString());
        return new GateConfig(copy.toString(), config.revision(), config.layer(), config.edit(), config.editMode(), config.editTimeout(),
                config.dtype(), config.device(), config.tolerance(), config.tokenizer(), config.prompts(), config.tries(), config.seed(),
                config.timeBudget(), config.reportDir(), explicit);
    }

    /** Runs the gate on {@code edit} (a JVM edit given directly, e.g. by the JUnit contract). */
    public GateReport run(HeadPermutationEdit edit, String editDescription) {
        return run(edit, editDescription, stages());
    }

    /**
     * Runs only {@code stages} (in order, each only if the ones before it passed) on {@code edit}, e.g. the structural
     * and numeric stages over generated model shapes; the verdict is PASS when all of them ran and passed.
     */
    public GateReport run(HeadPermutationEdit edit, String editDescription, List<Stage> stages) {
        return run(EditKinds.HEAD_PERMUTATION, edit::permuteHeads, edit, editDescription, stages);
    }

    /** Runs the gate on an edit of {@code kind} (e.g. its built-in edit, a mutant, or the generic JUnit contract's edit). */
    public <P> GateReport run(EditKind<P> kind, KindEdit<P> edit, String editDescription) {
        return run(kind, edit, edit, editDescription, stages());
    }

    /** Runs only {@code stages} on an edit of {@code kind} (see {@link #run(HeadPermutationEdit, String, List)}). */
    public <P> GateReport run(EditKind<P> kind, KindEdit<P> edit, String editDescription, List<Stage> stages) {
        return run(kind, edit, edit, editDescription, stages);
    }

    /** Runs only {@code stages} on a resolved edit of any kind (e.g. per generated model shape). */
    public GateReport run(EditUnderTest edit, List<Stage> stages) {
        return edit.edit() != null ? run(edit.edit(), edit.description(), stages)
                : runKind(edit.kind(), edit.kindEdit(), edit.description(), stages);
    }

    @SuppressWarnings("unchecked")
    private <P> GateReport runKind(EditKind<P> kind, KindEdit<?> edit, String editDescription, List<Stage> stages) {
        return run(kind, (KindEdit<P>) edit, editDescription, stages);
    }

    private <P> GateReport run(EditKind<P> kind, KindEdit<P> edit, Object rawEdit, String editDescription, List<Stage> stages) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Preflight.reportFolderWritable(config.reportDir());
        Preflight.deviceAvailable(config.device());
        if (config.model().startsWith("fixture:")) listener.phase("generating or reusing fixture " + config.model());
        Path folder = ModelChoice.resolve(config.model(), config.revision());
        List<Path> modelFolders = config.model().equals(userModel) ? List.of(folder)
                : List.of(folder, ModelChoice.resolve(userModel, config.revision()));
        OutputPaths.folder(GateKey.REPORT.flag(), config.reportDir().toString(), modelFolders);
        listener.phase("loading checkpoint " + folder.getFileName());
        Checkpoint original = Checkpoint.load(folder);
        InputModelCheck.requireFinite(folder, original);
        InputModelCheck.requireTokenizer(config, folder);
        if (!kind.perLayer() && config.explicit().containsKey(GateKey.LAYER)) {
            throw new IllegalArgumentException("--layer " + config.explicit().get(GateKey.LAYER) + ": " + kind.name()
                    + " edits the whole model, not one layer; leave --layer out");
        }
        kind.requireApplicable(original.layout());
        int layer = config.layer() >= 0 ? config.layer() : original.config().numHiddenLayers() / 2;
        if (kind == EditKinds.HEAD_PERMUTATION) {
            BuiltInHeadPermutation.checkArguments(original, layer, Permutation.identity(original.config().numAttentionHeads()));
        } else {
            original.layout().heads(layer); // the layer is in range, or an error naming --layer
        }
        if (rawEdit instanceof dev.editgate.gate.kind.ExternalKindEdit<?> external) {
            listener.phase("starting the edit command (identity request, protocol 2)");
            EditCommandPreflight.identityAnswered(() -> edit.edit(original, layer, kind.identity(original, layer)),
                    "the identity " + kind.name() + (kind.perLayer() ? " of layer " + layer : ""));
        }
        if (rawEdit instanceof ExternalHeadPermutationEdit external) {
            listener.phase("starting the edit command (identity request)");
            EditCommandPreflight.identityAnswered(external, original, layer);
        }
        GateSession session = new GateSession(config, folder, original, layer, kind, edit, editDescription,
                PromptSet.load(config.prompts()), listener, rawEdit instanceof ExternalHeadPermutationEdit e ? e
                        : rawEdit instanceof dev.editgate.gate.kind.ExternalKindEdit<?> k ? k.runner() : null);
        try (session) {
            List<StageReport> reports = runStages(session, t0, stages);
            return ReportAssembler.assemble(session, started, Duration.ofNanos(System.nanoTime() - t0), verdict(reports), reports,
                    rerunLine != null ? rerunLine : config.reproduceCommand());
        }
    }

    /**
     * FAIL when a stage found the edit wrong; otherwise INCONCLUSIVE when a stage could not run or was not
     * started (time budget); PASS when every stage ran and passed.
     */
    public static GateReport.Verdict verdict(List<StageReport> stages) {
        if (stages.stream().anyMatch(r -> r.status() == StageReport.Status.FAILED)) return GateReport.Verdict.FAIL;
        if (stages.stream().allMatch(r -> r.status() == StageReport.Status.PASSED || notApplicable(r))) return GateReport.Verdict.PASS;
        return GateReport.Verdict.INCONCLUSIVE;
    }

    /** Reason prefix of a stage skipped because it does not apply to the edit kind (it does not make the run inconclusive). */
    public static final String NOT_APPLICABLE = "not applicable to ";

    static boolean notApplicable(StageReport r) {
        return r.status() == StageReport.Status.SKIPPED && r.reason().startsWith(NOT_APPLICABLE);
    }

    private List<StageReport> runStages(GateSession session, long t0, List<Stage> stages) {
        List<StageReport> reports = new ArrayList<>();
        String blocker = null;
        for (Stage stage : stages) {
            if (blocker == null && Duration.ofNanos(System.nanoTime() - t0).compareTo(config.timeBudget()) > 0) {
                blocker = "the time budget of " + (config.timeBudget().toMillis() < 1000 ? config.timeBudget().toMillis() + " ms"
                        : config.timeBudget().toSeconds() + " s") + " was spent";
            }
            var notApplicable = blocker == null ? stage.notApplicable(session) : java.util.Optional.<String>empty();
            StageReport r = blocker != null
                    ? new StageReport(stage.name(), StageReport.Status.SKIPPED, "skipped: " + blocker, Duration.ZERO, List.of())
                    : notApplicable.isPresent()
                    ? new StageReport(stage.name(), StageReport.Status.SKIPPED, NOT_APPLICABLE + session.kind().name() + ": " + notApplicable.get(),
                            Duration.ZERO, List.of())
                    : runStage(stage, session);
            reports.add(r);
            listener.stageFinished(r);
            if (blocker == null && r.status() == StageReport.Status.FAILED) {
                blocker = "the " + stage.name() + " stage failed";
            } else if (blocker == null && r.status() == StageReport.Status.ERROR) {
                blocker = "the " + stage.name() + " stage could not run";
            }
        }
        if (config.runner().isPresent()) { // --runner: the lab's own harness, after the edit's stages
            StageReport r = blocker != null
                    ? new StageReport(HarnessStage.NAME, StageReport.Status.SKIPPED, "skipped: " + blocker, Duration.ZERO, List.of())
                    : HarnessStage.run(session, listener);
            reports.add(r);
            listener.stageFinished(r);
        }
        return reports;
    }

    private StageReport runStage(Stage stage, GateSession session) {
        listener.stageStarted(stage.name());
        long t0 = System.nanoTime();
        List<PropertyReport> results = new ArrayList<>();
        String failure = "";
        String error = "";
        String sameError = null;
        try {
            List<GateProperty<?>> properties = stage.properties(session);
            listener.stagePlanned(stage.name(), properties.stream().mapToLong(GateProperty::tries).sum());
            for (GateProperty<?> p : properties) {
                results.add(p.run(session, stage.name()));
                var persistent = session.editFailures().sameErrorOnEveryCall();
                if (persistent.isPresent() && results.get(results.size() - 1).status() == PropertyReport.Status.FAILED) {
                    sameError = persistent.get();
                    int notRun = properties.size() - results.size();
                    if (notRun > 0) failure = " (" + notRun + (notRun == 1 ? " property" : " properties") + " not run: they would fail alike)";
                    break;
                }
            }
        } catch (RuntimeException | AssertionError e) {
            error = "the stage could not run: " + GateProperty.message(e);
        }
        if (error.isEmpty() && sameError == null) {
            session.editFailures().reset();
            try {
                stage.collectPlots(session); // also the full check that the original folder is unchanged
                session.verifyEditInputUnchanged(); // an external edit's input copy, re-hashed once per stage
            } catch (AssertionError e) {
                failure = GateProperty.message(e); // the edit modified its input
            } catch (RuntimeException e) {
                if (session.editFailures().failures() > 0) failure = GateProperty.message(e); // the edit threw
                else error = "the stage could not run: " + GateProperty.message(e);
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        if (!error.isEmpty()) return new StageReport(stage.name(), StageReport.Status.ERROR, error, elapsed, results);
        if (sameError != null) {
            return new StageReport(stage.name(), StageReport.Status.FAILED, "the edit failed on every trial with the same error: "
                    + sameError.lines().findFirst().orElse("") + failure, elapsed, results);
        }
        List<String> failed = results.stream().filter(r -> r.status() == PropertyReport.Status.FAILED).map(PropertyReport::name).toList();
        if (failure.isEmpty() && !failed.isEmpty()) failure = failed.size() + " of " + results.size() + " properties failed: " + String.join("; ", failed);
        return new StageReport(stage.name(), failure.isEmpty() ? StageReport.Status.PASSED : StageReport.Status.FAILED,
                failure.isEmpty() ? stage.purpose(session) : failure, elapsed, results);
    }
}
