package dev.editgate.gate.harness;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.forward.ComputeDtype;
import dev.editgate.core.forward.Logits;
import dev.editgate.core.forward.TransformerForward;
import dev.editgate.core.runner.RunnerException;
import dev.editgate.core.runner.RunnerProcess;
import dev.editgate.core.runner.RunnerSpec;
import dev.editgate.core.tokenize.TextTokenizer;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.gate.setup.SetupException;
import dev.editgate.gate.stage.GateProperty;
import dev.editgate.properties.Gen;
import dev.editgate.properties.Property;
import dev.editgate.properties.PropertyListener;
import dev.editgate.properties.PropertyResult;
import dev.editgate.reports.model.Counterexample;
import dev.editgate.reports.model.PropertyReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Puts a lab's harness under test: starts its runner (docs/runner-protocol.md) on a model and runs the four
 * properties of a correct harness (baseline, invariance, equivariance of patching, generation) with generated inputs
 * and shrinking. Each property becomes a {@link PropertyReport} with its minimal counterexample and, where the failure
 * is recognisable, a diagnosis. A property whose operation the runner lacks is left out (and named in
 * {@link Result#notes()}).
 */
public final class Harness {
    private Harness() {}

    /** What the runner said about itself, the properties' reports, and notes for the report (tolerance, skipped properties). */
    public record Result(String runner, String dtype, List<PropertyReport> properties, List<String> notes, int requests, Duration elapsed) {
        public boolean passed() {
            return properties.stream().allMatch(p -> p.status() == PropertyReport.Status.PASSED);
        }
    }

    /**
     * Starts the runner on {@code modelFolder}, runs every property it can answer, and stops it.
     *
     * @throws SetupException when the runner does not start or says no valid hello (exit 2 in the CLI)
     */
    public static Result run(RunnerSpec spec, Path modelFolder, HarnessSettings settings, Consumer<String> progress) {
        Checkpoint original = Checkpoint.load(modelFolder);
        int layers = original.config().numHiddenLayers();
        if (settings.layer() < 0 || settings.layer() >= layers) {
            throw new IllegalArgumentException("--layer " + settings.layer() + " is outside 0.." + (layers - 1) + " (the model has " + layers + " layers)");
        }
        InvarianceProperty.requireApplicable(settings.editKind(), original, settings.layer());
        try (TransformerForward reference = TransformerForward.load(original, ComputeDtype.FLOAT64, "cpu")) {
            RunnerProcess runner;
            try {
                runner = RunnerProcess.start(spec, modelFolder);
            } catch (RunnerException e) {
                throw new SetupException("the runner did not start: " + e.getMessage(), e);
            }
            try (runner) {
                return run(runner, original, reference, settings, progress);
            }
        }
    }

    /** The properties against an already started runner whose original folder holds {@code original}. */
    public static Result run(RunnerProcess runner, Checkpoint original, TransformerForward reference, HarnessSettings settings,
                             Consumer<String> progress) {
        long start = System.nanoTime();
        InvarianceProperty.requireApplicable(settings.editKind(), original, settings.layer());
        HarnessContext c = new HarnessContext(runner, original, reference, settings);
        List<String> notes = new ArrayList<>();
        notes.add("runner: " + runner.hello().runner() + " (" + runner.spec().display() + "), declares " + runner.hello().dtype()
                + ", capabilities " + runner.hello().capabilities() + ", sandbox " + runner.sandbox().name().toLowerCase(java.util.Locale.ROOT));
        notes.add("tolerance (" + runner.hello().dtype() + "): " + c.tolerance().explain(c.tolerance().baseline()));
        List<PropertyReport> reports = new ArrayList<>();

        progress.accept(BaselineProperty.NAME);
        reports.add(run(c, BaselineProperty.NAME, BaselineProperty.description(c), BaselineProperty.gen(c), settings.baselineTries(),
                ids -> BaselineProperty.check(c, ids), Harness::tokens));

        reports.add(invariance(c, settings.editKind(), progress));
        if (settings.editKind() != EditKinds.HEAD_PERMUTATION) {
            notes.add("--edit-kind " + settings.editKind().name() + " applies to the invariance property; " + EquivarianceProperty.NAME
                    + " uses head permutations");
        }

        if (runner.hello().can("patch_heads") || runner.hello().can("ablate_heads")) {
            progress.accept(EquivarianceProperty.NAME);
            int[][][] pair = EquivarianceProperty.inputs(c);
            Logits[] unpatched = new Logits[1]; // the runner's logits of the corrupted sequence, asked once inside the property
            java.util.function.Supplier<Logits> corrupt = () -> unpatched[0] != null ? unpatched[0]
                    : (unpatched[0] = runner.logits(runner.originalFolder(), pair[1], c.vocab()));
            reports.add(run(c, EquivarianceProperty.NAME, EquivarianceProperty.description(c), EquivarianceProperty.gen(c), settings.patchingTries(),
                    pc -> EquivarianceProperty.check(c, pair[0], pair[1], pc, corrupt),
                    pc -> new Counterexample(pc.perm().toArray(), pc.toString(), pc.perm().toArray(), pc.toString(), 0)));
        } else {
            notes.add("not run: " + EquivarianceProperty.NAME + " (the runner answers neither patch_heads nor ablate_heads)");
        }

        if (runner.hello().tokenizes()) {
            java.nio.file.Path tokenizerJson = runner.originalFolder().resolve("tokenizer.json");
            if (java.nio.file.Files.isRegularFile(tokenizerJson)) {
                progress.accept(TokenizationProperty.NAME);
                try (TextTokenizer tokenizer = TextTokenizer.fromFile(tokenizerJson)) {
                    reports.add(run(c, TokenizationProperty.NAME, TokenizationProperty.description(), TokenizationProperty.gen(),
                            settings.generationTries(), p -> TokenizationProperty.check(c, tokenizer, p),
                            p -> new Counterexample(new int[0], "prompt \"" + p.replace("\n", "\\n") + "\"", new int[0], "prompt \"" + p.replace("\n", "\\n") + "\"", 0)));
                }
            } else {
                notes.add("not run: " + TokenizationProperty.NAME + " (the model folder has no tokenizer.json to compare with)");
            }
        }

        if (runner.hello().can("generate")) {
            progress.accept(GenerationProperty.NAME);
            reports.add(run(c, GenerationProperty.NAME, GenerationProperty.description(c), GenerationProperty.gen(c), settings.generationTries(),
                    p -> GenerationProperty.check(c, p), Harness::tokens));
        } else {
            notes.add("not run: " + GenerationProperty.NAME + " (the runner does not answer generate)");
        }
        return new Result(runner.hello().runner(), runner.hello().dtype(), reports, notes, runner.requests(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** Invariance under the kind's generated parameters (the identity excluded), asking the runner for the original's logits once. */
    static <P> PropertyReport invariance(HarnessContext c, EditKind<P> kind, Consumer<String> progress) {
        String name = InvarianceProperty.name(kind);
        progress.accept(name);
        int[][] ids = InvarianceProperty.inputs(c);
        Logits[] onOriginal = new Logits[1]; // asked inside the property, so a runner failing here is reported as its failure
        return run(c, name, InvarianceProperty.description(c, kind), InvarianceProperty.gen(c, kind), c.settings().permutationTries(),
                p -> {
                    if (onOriginal[0] == null) onOriginal[0] = c.runner().logits(c.runner().originalFolder(), ids, c.vocab());
                    InvarianceProperty.check(c, kind, ids, onOriginal[0], p);
                }, p -> new Counterexample(kind.encode(p), kind.format(p), kind.encode(p), kind.format(p), 0));
    }

    private static Counterexample tokens(int[] ids) {
        String text = "tokens " + Arrays.toString(ids) + " (" + ids.length + (ids.length == 1 ? " token)" : " tokens)");
        return new Counterexample(new int[0], text, new int[0], text, 0); // no permutation: the reports show the text only
    }

    /** One property through the engine, as a report: the shrunk counterexample, its failure message and diagnosis. */
    private static <T> PropertyReport run(HarnessContext c, String name, String description, Gen<T> gen, int tries,
                                          java.util.function.Consumer<T> body, Function<T, Counterexample> show) {
        PropertyResult<T> r = Property.forAll(name, gen)
                .tries(tries)
                .seed(c.settings().seed())
                .shrinkBudget(Duration.ofSeconds(60))
                .listener(new PropertyListener<>() { })
                .check(body::accept);
        if (r.passed()) {
            return new PropertyReport(name, description, PropertyReport.Status.PASSED, r.triesRun(), r.elapsed(), r.seed(), null, "", "", r.statistics());
        }
        T shrunk = r.shrunk().orElseThrow();
        Counterexample s = show.apply(shrunk);
        Counterexample o = show.apply(r.original().orElse(shrunk));
        Counterexample ce = new Counterexample(s.shrunk(), s.shrunkCycles(), o.shrunk(), o.shrunkCycles(), r.shrinkSteps());
        Throwable failure = r.failure().orElse(null);
        String message = failure == null ? "" : GateProperty.message(failure);
        String diagnosis = failure instanceof HarnessFailure h ? h.diagnosis() : "";
        return new PropertyReport(name, description, PropertyReport.Status.FAILED, r.triesRun(), r.elapsed(), r.seed(), ce, message, diagnosis, r.statistics());
    }
}
