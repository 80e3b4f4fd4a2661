package dev.editgate.gate.shapes;

import dev.editgate.core.external.ScratchFolders;
import dev.editgate.fixtures.Fixtures;
import dev.editgate.gate.EditUnderTest;
import dev.editgate.gate.Gate;
import dev.editgate.gate.GateListener;
import dev.editgate.gate.config.GateConfig;
import dev.editgate.gate.config.GateKey;
import dev.editgate.gate.stage.Stage;
import dev.editgate.properties.FailureDatabase;
import dev.editgate.properties.Property;
import dev.editgate.properties.PropertyResult;
import dev.editgate.reports.model.GateReport;
import dev.editgate.reports.model.PropertyReport;
import dev.editgate.reports.model.RunInfo;
import dev.editgate.reports.model.ShapesReport;
import dev.editgate.reports.model.StageReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * The gate over generated models ({@code --model shapes:FAMILY}): the edit's structural and numeric stages on
 * {@code --shapes} random small models of the family (each a real checkpoint folder, written, gated and removed), as
 * one property of the property engine over {@link ShapeGen}; a failing model is shrunk through the same choice
 * sequence to the smallest config that still fails (and the gate on that model shrinks the permutation), then every
 * one-option flip of it is gated to find the nearest passing config and the diagnosis. When every model passes, the
 * functional stage runs on the {@value #FUNCTIONAL_MODELS} smallest. The edit comes from the {@code edit} setting, or
 * is given (the JUnit entry point); stages are the gate's own, taken by name, so every edit kind runs the same way.
 */
public final class ShapeSweep {
    /** The prefix of the {@code model} setting that asks for generated shapes. */
    public static final String PREFIX = "shapes:";
    /** How many of the smallest passing models get the functional stage. */
    public static final int FUNCTIONAL_MODELS = 3;
    /** Permutations per property on each generated model, at most (the models are small: few heads, exhaustive when heads! ≤ tries). */
    public static final int MAX_TRIES_PER_MODEL = 20;
    /** The verdict of a generated model the edit kind has nothing to judge on. */
    public static final String NOT_APPLICABLE = "NOT_APPLICABLE";
    static final Duration SHRINK_BUDGET = Duration.ofSeconds(90);

    private final GateConfig config;
    private final String modelType;
    private final GateListener listener;
    private final Function<GateConfig, EditUnderTest> edits;
    private final Map<Shape, ModelRun> runs = new LinkedHashMap<>();
    private final List<ModelRun> sweep = new ArrayList<>();
    /** Sweep models the edit kind does not apply to (kept out of the stage aggregates, listed in the report). */
    private final List<ModelRun> notApplicable = new ArrayList<>();
    private final List<Stage> sweepStages = stagesNamed("structural", "numeric");
    private boolean sweeping;
    private boolean budgetSpent;
    /** A setup problem (an edit command that does not start, an unwritable folder): stops the sweep, rethrown after it. */
    private RuntimeException setupError;
    private Path scratch;
    private int written;

    /** The run of the edit named by {@code config}'s {@code edit} setting; the model setting is {@code shapes:FAMILY}. */
    public ShapeSweep(GateConfig config, GateListener listener) {
        this(config, listener, EditUnderTest::resolve);
    }

    /** The run of a given JVM edit (the JUnit entry point). */
    public ShapeSweep(GateConfig config, GateListener listener, dev.editgate.core.edit.HeadPermutationEdit edit, String description) {
        this(config, listener, c -> new EditUnderTest(edit, description, null));
    }

    private ShapeSweep(GateConfig config, GateListener listener, Function<GateConfig, EditUnderTest> edits) {
        if (!isShapes(config.model())) throw new IllegalArgumentException("--model " + config.model() + " is not shapes:FAMILY");
        this.config = config;
        this.modelType = family(config.model());
        this.listener = listener;
        this.edits = edits;
    }

    public static boolean isShapes(String model) {
        return model.startsWith(PREFIX);
    }

    /** The family of {@code shapes:FAMILY}; the error names the flag and the families. */
    static String family(String model) {
        String f = model.substring(PREFIX.length()).strip().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        if (f.equals("neox") || f.equals("pythia")) f = "gpt_neox";
        if (!ShapeGen.FAMILIES.contains(f)) {
            throw new IllegalArgumentException("--model " + model + ": unknown family; expected shapes:FAMILY with FAMILY one of "
                    + String.join(", ", ShapeGen.FAMILIES));
        }
        return f;
    }

    /**
     * One generated model, gated; {@code report} is null and {@code notApplicable} says why when the edit kind has nothing
     * to judge on it (e.g. kv-group-permutation on one KV head, a scaling whose only exact exponent there is 0).
     */
    record ModelRun(Shape shape, GateReport report, long writeMillis, String notApplicable) {
        boolean failed() { return report != null && report.verdict() == GateReport.Verdict.FAIL; }

        /** The verdict's name, or {@code NOT_APPLICABLE}. */
        String verdict() { return report == null ? NOT_APPLICABLE : report.verdict().name(); }

        long stageMillis(String stage) {
            if (report == null) return 0;
            return report.stages().stream().filter(s -> s.name().equals(stage)).mapToLong(s -> s.elapsed().toMillis()).sum();
        }

        /** The first failed property, its minimal permutation and the first line of its message; else the first stage's reason. */
        String failure() {
            if (report == null) return notApplicable;
            for (StageReport s : report.stages()) {
                if (s.status() == StageReport.Status.PASSED || s.status() == StageReport.Status.SKIPPED) continue;
                for (PropertyReport p : s.properties()) {
                    if (p.status() != PropertyReport.Status.FAILED) continue;
                    String perm = p.counterexample() == null ? "" : " at π = " + p.counterexample().shrunkCycles();
                    return s.name() + ": " + p.name() + perm + ": " + firstLine(p.failureMessage());
                }
                return s.name() + ": " + firstLine(s.reason());
            }
            return "";
        }

        ShapesReport.ShapeRow row() {
            return new ShapesReport.ShapeRow(shape.summary(), verdict(), writeMillis, stageMillis("structural"),
                    stageMillis("numeric"), failure());
        }
    }

    /** Runs the sweep, the shrinking and the flips (or the functional stage on the smallest models) and assembles the report. */
    public GateReport run() {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        dev.editgate.gate.setup.Preflight.reportFolderWritable(config.reportDir());
        scratch = ScratchFolders.create("editgate-shapes-");
        try {
            sweeping = true;
            PropertyResult<Shape> result = Property.forAll(PREFIX + modelType, ShapeGen.of(modelType))
                    .tries(config.shapes())
                    .seed(config.seed())
                    .database(FailureDatabase.none())
                    .shrinkBudget(SHRINK_BUDGET)
                    .classify(s -> null)
                    .describe(Shape::summary)
                    .listener(new dev.editgate.properties.PropertyListener<>() {
                        @Override
                        public void onShrinkStep(int steps, Shape current) {
                            sweeping = false;
                            listener.phase("shrinking the failing config (" + steps + " steps): " + current.summary());
                        }
                    })
                    .check(shape -> {
                        if (setupError != null) return;
                        if (!sweep.isEmpty() && Duration.ofNanos(System.nanoTime() - t0).compareTo(config.timeBudget()) > 0) {
                            budgetSpent = true;   // the models left are not generated: the run is inconclusive
                            return;
                        }
                        ModelRun r;
                        try {
                            r = gate(shape, sweepStages);
                        } catch (RuntimeException e) {   // not the edit's failure (that is a failed stage): nothing to shrink
                            setupError = e;
                            return;
                        }
                        if (r.failed()) {
                            sweeping = false; // what follows is shrinking
                            throw new AssertionError(shape.summary() + ": " + r.failure());
                        }
                    });
            sweeping = false;
            if (setupError != null) throw setupError;
            return result.passed() ? passed(started, t0) : failed(result, started, t0);
        } finally {
            if (!ScratchFolders.delete(scratch)) System.err.println("editgate: could not delete the generated models under " + scratch);
        }
    }

    /** Writes {@code shape}'s checkpoint, runs {@code stages} on it, removes it; each shape is gated once per run. */
    ModelRun gate(Shape shape, List<Stage> stages) {
        boolean sweepRun = stages == sweepStages;   // these runs are kept: the sweep, shrinking and flips gate a shape once
        ModelRun cached = sweepRun ? runs.get(shape) : null;
        if (cached != null) return cached;
        Path folder = scratch.resolve("model-" + (++written));
        if (sweeping) listener.phase("model " + (sweep.size() + 1) + "/" + config.shapes() + ": " + shape.summary());
        long w0 = System.nanoTime();
        Fixtures.write(shape.fixture(), folder);
        long writeMillis = (System.nanoTime() - w0) / 1_000_000;
        try {
            GateConfig inner = inner(folder);
            ModelRun run;
            try (EditUnderTest edit = edits.apply(inner)) {
                Optional<String> na = notApplicable(edit.kind(), folder);
                run = na.isPresent() ? new ModelRun(shape, null, writeMillis, na.get())
                        : new ModelRun(shape, new Gate(inner, GateListener.NONE).rerunLine(config.reproduceCommand()).run(edit, stages), writeMillis, "");
            }
            if (sweepRun) {
                runs.put(shape, run);
                if (sweeping) (run.report() == null ? notApplicable : sweep).add(run);
            }
            return run;
        } finally {
            ScratchFolders.delete(folder);
        }
    }

    /**
     * Why {@code kind} has nothing to judge on the model in {@code folder} (at the middle layer the gate edits): the kind
     * does not apply to it, or its generator could only draw the identity there; empty when it can be judged.
     */
    private static Optional<String> notApplicable(dev.editgate.gate.kind.EditKind<?> kind, Path folder) {
        dev.editgate.core.checkpoint.Checkpoint ck = dev.editgate.core.checkpoint.Checkpoint.load(folder);
        try {
            kind.requireApplicable(ck.layout());
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        return kind.onlyIdentity(ck, ck.config().numHiddenLayers() / 2);
    }

    /**
     * The settings of one generated model's gate: the user's, with the generated folder as the model, the middle layer
     * (a {@code --layer} cannot fit every generated depth), the fixtures' own tokenizer, and at most
     * {@value #MAX_TRIES_PER_MODEL} permutations per property; reports of single models go to a scratch folder.
     */
    GateConfig inner(Path folder) {
        Map<GateKey, String> m = new EnumMap<>(GateKey.class);
        m.putAll(config.explicit());
        m.remove(GateKey.CONFIG);
        m.remove(GateKey.LAYER);
        m.remove(GateKey.TOKENIZER);
        m.remove(GateKey.SHAPES);
        m.put(GateKey.MODEL, folder.toString());
        m.put(GateKey.REPORT, scratch.resolve("reports").toString());
        m.put(GateKey.SEED, Long.toString(config.seed()));
        m.put(GateKey.TRIES, Integer.toString(Math.min(config.tries(), MAX_TRIES_PER_MODEL)));
        return GateConfig.resolve(m, new Properties());
    }

    /** The gate's stages of these names, in the gate's order (so an edit kind with its own stages runs the same way). */
    private static List<Stage> stagesNamed(String... names) {
        List<Stage> out = new ArrayList<>();
        for (String n : names) Gate.stages().stream().filter(s -> s.name().equals(n)).forEach(out::add);
        return out;
    }

    private GateReport passed(Instant started, long t0) {
        if (sweep.isEmpty() && !notApplicable.isEmpty()) {
            throw new IllegalArgumentException("--edit-kind " + config.editKind() + " has nothing to judge on any of the " + notApplicable.size()
                    + " generated " + modelType + " models: " + notApplicable.get(0).notApplicable());
        }
        List<StageReport> stages = new ArrayList<>();
        for (String name : List.of("structural", "numeric")) stages.add(aggregate(name));
        // the functional stage on the smallest passing models
        List<Shape> smallest = sweep.stream().filter(r -> r.report().verdict() == GateReport.Verdict.PASS).map(ModelRun::shape).distinct()
                .sorted(Comparator.comparingLong(Shape::parameterCount)).limit(FUNCTIONAL_MODELS).toList();
        List<ShapesReport.ShapeRow> functional = new ArrayList<>();
        List<StageReport> functionalStages = new ArrayList<>();
        boolean anyError = sweep.stream().anyMatch(r -> r.report().verdict() == GateReport.Verdict.INCONCLUSIVE);
        if (budgetSpent || anyError) {
            String why = budgetSpent ? "skipped: the time budget of " + config.timeBudget().toMillis() + " ms was spent after " + sweep.size()
                    + " of " + config.shapes() + " generated models" : "skipped: a generated model's stage could not run";
            stages.add(new StageReport("functional", StageReport.Status.SKIPPED, why, Duration.ZERO, List.of()));
        } else {
            for (Shape s : smallest) {
                listener.phase("functional stage on " + s.summary());
                ModelRun r = gate(s, stagesNamed("functional"));
                functional.add(new ShapesReport.ShapeRow(s.summary(), r.verdict(), r.writeMillis(), 0, 0, r.failure()));
                functionalStages.addAll(r.report().stages());
            }
            stages.add(combine("functional", functionalStages, "on the " + smallest.size() + " smallest generated models"));
        }
        ShapesReport shapes = shapesReport(null, null, null, List.of(), null, null, "", functional);
        return assemble(started, t0, Gate.verdict(stages), stages, shapes, sweep.get(0).report());
    }

    /** One stage's reports over every model of the sweep, as one stage: its properties' tries and times summed. */
    private StageReport aggregate(String stage) {
        List<StageReport> all = new ArrayList<>();
        for (ModelRun r : sweep) r.report().stages().stream().filter(s -> s.name().equals(stage)).forEach(all::add);
        return combine(stage, all, "on all " + sweep.size() + " generated models");
    }

    private StageReport combine(String stage, List<StageReport> all, String where) {
        Map<String, PropertyReport> props = new LinkedHashMap<>();
        Duration elapsed = Duration.ZERO;
        StageReport.Status status = StageReport.Status.PASSED;
        String reason = "";
        for (StageReport s : all) {
            elapsed = elapsed.plus(s.elapsed());
            if (s.status() != StageReport.Status.PASSED && status == StageReport.Status.PASSED) {
                status = s.status();
                reason = s.reason();
            }
            for (PropertyReport p : s.properties()) {
                props.merge(p.name(), p, (a, b) -> new PropertyReport(a.name(), a.description(),
                        a.status() == PropertyReport.Status.FAILED ? a.status() : b.status(), a.tries() + b.tries(), a.elapsed().plus(b.elapsed()),
                        a.seed(), a.counterexample() != null ? a.counterexample() : b.counterexample(),
                        a.failureMessage().isBlank() ? b.failureMessage() : a.failureMessage(), a.diagnosis().isBlank() ? b.diagnosis() : a.diagnosis(),
                        Map.of()));
            }
        }
        if (all.isEmpty()) return new StageReport(stage, StageReport.Status.SKIPPED, "skipped: no generated model to run it on", elapsed, List.of());
        // a passed stage's reason is its purpose, as the gate worded it for the edit kind
        String purpose = all.stream().filter(s -> s.status() == StageReport.Status.PASSED).map(StageReport::reason).findFirst().orElse("");
        return new StageReport(stage, status, status == StageReport.Status.PASSED ? purpose + " (" + where + ")" : reason + " (" + where + ")",
                elapsed, new ArrayList<>(props.values()));
    }

    private GateReport failed(PropertyResult<Shape> result, Instant started, long t0) {
        Shape minimal = result.shrunk().orElseThrow();
        Shape original = result.original().orElse(minimal);
        ModelRun min = gate(minimal, sweepStages);
        // every one-option flip of the minimal config, preferred order first
        List<ShapesReport.ShapeFlip> flips = new ArrayList<>();
        Shape nearest = null;
        ShapeOption nearestOption = null;
        for (ShapeOption o : ShapeOption.values()) {
            for (Shape alt : o.alternatives(minimal)) {
                listener.phase("one-option flip: " + o.label(minimal) + " " + o.value(minimal) + " → " + o.value(alt));
                ModelRun r = gate(alt, sweepStages);
                flips.add(new ShapesReport.ShapeFlip(o.label(minimal), o.value(minimal), o.value(alt), alt.summary(), r.verdict()));
                if (nearest == null && r.report() != null && r.report().verdict() == GateReport.Verdict.PASS) {
                    nearest = alt;
                    nearestOption = o;
                }
            }
        }
        Map<Shape, Boolean> verdicts = new LinkedHashMap<>();
        runs.forEach((s, r) -> {
            if (r.report() != null && r.report().verdict() != GateReport.Verdict.INCONCLUSIVE) verdicts.put(s, r.failed());
        });
        String difference = nearest == null ? null
                : nearestOption.label(minimal) + ": " + nearestOption.value(minimal) + " → " + nearestOption.value(nearest);
        String diagnosis = nearest == null ? "" : ShapeDiagnosis.diagnose(minimal, nearest, nearestOption, verdicts);
        List<StageReport> stages = new ArrayList<>(min.report().stages());
        stages.add(new StageReport("functional", StageReport.Status.SKIPPED, "skipped: a generated model failed the earlier stages",
                Duration.ZERO, List.of()));
        ShapesReport shapes = shapesReport(original, minimal, min.failure(), flips, nearest, difference, diagnosis, List.of());
        return assemble(started, t0, GateReport.Verdict.FAIL, stages, shapes, min.report());
    }

    private ShapesReport shapesReport(Shape original, Shape minimal, String minimalFailure, List<ShapesReport.ShapeFlip> flips, Shape nearest,
                                      String difference, String diagnosis, List<ShapesReport.ShapeRow> functional) {
        double write = sweep.stream().mapToLong(ModelRun::writeMillis).average().orElse(0);
        double structural = sweep.stream().mapToLong(r -> r.stageMillis("structural")).average().orElse(0);
        double numeric = sweep.stream().mapToLong(r -> r.stageMillis("numeric")).average().orElse(0);
        int shrinking = minimal == null ? 0 : Math.max(0, runs.size() - sweep.size());
        List<ShapesReport.ShapeRow> rows = new ArrayList<>(sweep.stream().map(ModelRun::row).toList());
        notApplicable.forEach(r -> rows.add(r.row()));
        return new ShapesReport(modelType, config.shapes(), rows, shrinking,
                original == null ? null : original.summary(), minimal == null ? null : minimal.summary(), minimalFailure,
                minimal == null ? null : minimal.config().toJson().toPrettyString(), flips,
                nearest == null ? null : nearest.summary(), difference, diagnosis, functional, write, structural, numeric);
    }

    /** The run's report: the representative model's run info (the minimal failing one, else the first), named {@code shapes:FAMILY}. */
    private GateReport assemble(Instant started, long t0, GateReport.Verdict verdict, List<StageReport> stages, ShapesReport shapes,
                                GateReport representative) {
        RunInfo r = representative.run();
        RunInfo run = new RunInfo(config.model(), "", "(generated models, removed after the run)", r.contentHash(), r.computeDtype(),
                r.weightDtype(), r.device(), r.layer(), r.heads(), r.edit(), config.seed(), Math.min(config.tries(), MAX_TRIES_PER_MODEL),
                r.prompts(), r.editCalls());
        return new GateReport(GateReport.SCHEMA_VERSION, started, Duration.ofNanos(System.nanoTime() - t0), verdict, run,
                representative.environment(), stages, representative.plots(), config.reproduceCommand(), shapes);
    }

    /** The first line of a message, and the next one too when the first ends with a colon (it announces the error). */
    private static String firstLine(String s) {
        if (s == null) return "";
        List<String> lines = s.lines().map(String::strip).filter(l -> !l.isEmpty()).limit(2).toList();
        if (lines.isEmpty()) return "";
        return lines.get(0).endsWith(":") && lines.size() > 1 ? lines.get(0) + " " + lines.get(1) : lines.get(0);
    }

    /** The models gated so far (sweep, shrinking and flips), for tests. */
    Map<Shape, Boolean> verdicts() {
        Map<Shape, Boolean> out = new LinkedHashMap<>();
        runs.forEach((s, r) -> out.put(s, r.failed()));
        return out;
    }

    Optional<ModelRun> runOf(Shape s) {
        return Optional.ofNullable(runs.get(s));
    }
}
