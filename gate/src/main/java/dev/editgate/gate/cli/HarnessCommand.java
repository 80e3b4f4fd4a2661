package dev.editgate.gate.cli;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.runner.RunnerSpec;
import dev.editgate.gate.harness.Harness;
import dev.editgate.gate.harness.HarnessReport;
import dev.editgate.gate.harness.HarnessSettings;
import dev.editgate.gate.kind.EditKind;
import dev.editgate.gate.kind.EditKinds;
import dev.editgate.gate.setup.Preflight;
import dev.editgate.reports.ReportFiles;
import dev.editgate.reports.ReportWriter;
import dev.editgate.reports.model.GateReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code editgate harness}: puts a lab's own model code (a runner, docs/runner-protocol.md) under test. */
@Command(name = "harness", mixinStandardHelpOptions = true,
        description = {"Runs the lab's runner (its loading, forward, generation and head patching; docs/runner-protocol.md) against the",
                "properties every correct harness satisfies: baseline logits vs editgate's float64 reference, invariance under head",
                "permutations, equivariance of head patching/ablation, greedy generation. Writes report.json/.md/.html like gate.",
                "Exit: 0 pass, 1 a property failed, 2 bad usage or a runner that does not start."})
final class HarnessCommand implements Callable<Integer> {
    @Mixin ModelOptions model;

    @Option(names = "--runner", required = true, paramLabel = "CMD",
            description = "The runner: \"command:python3 my_runner.py\" (split like a shell; no pipes or variables).")
    String runner;

    @Option(names = "--layer", paramLabel = "L", description = "Layer whose heads are patched, ablated and permuted (default: the middle layer).")
    Integer layer;

    @Option(names = "--edit-kind", paramLabel = "KIND", defaultValue = "head-permutation",
            description = {"The edit kind of the invariance property (default: ${DEFAULT-VALUE}): head-permutation | kv-group-permutation |",
                    "mlp-permutation | residual-permutation | qk-scaling | vo-scaling | up-down-scaling. Equivariance of head patching",
                    "always uses head permutations."})
    String editKind;

    @Option(names = "--tries", paramLabel = "N", defaultValue = "25", description = "Baseline sequences; the other properties scale from it (default: ${DEFAULT-VALUE}).")
    int tries;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the generated inputs (default: random, printed).")
    Long seed;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120", description = "Per request, and for the hello line (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--report", paramLabel = "DIR", defaultValue = "target/editgate-harness", description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path reportDir;

    @Option(names = "--junit-xml", paramLabel = "FILE", description = "Also write a JUnit XML report (one test case per property).")
    Path junitXml;

    @Override
    public Integer call() {
        Path folder = model.folder();
        Checkpoint ck = Checkpoint.load(folder);
        int l = layer != null ? layer : ck.config().numHiddenLayers() / 2;
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong() & 0xFFFFFFFL;
        if (tries < 1) throw new IllegalArgumentException("--tries must be >= 1, got " + tries);
        if (timeoutSeconds < 1) throw new IllegalArgumentException("--timeout must be >= 1 second, got " + timeoutSeconds);
        EditKind<?> kind = EditKinds.named(editKind);
        RunnerSpec spec = RunnerSpec.parse(runner, Duration.ofSeconds(timeoutSeconds), null);
        dev.editgate.core.files.OutputPaths.folder("--report", reportDir.toString(), java.util.List.of(folder));
        Preflight.reportFolderWritable(reportDir);
        if (junitXml != null) Preflight.reportFolderWritable(junitXml.toAbsolutePath().getParent());
        PrintStream out = System.out;
        boolean heads = kind == EditKinds.HEAD_PERMUTATION;
        out.println("editgate harness: model " + model.model + ", layer " + l + ", runner " + spec.display() + ", tries " + tries + ", seed " + s
                + (heads ? "" : ", edit kind " + kind.name() + " (invariance; equivariance uses head permutations)"));
        Instant started = Instant.now();
        Harness.Result r;
        try {
            r = Harness.run(spec, folder, HarnessSettings.defaults(l, s).withTries(tries).withEditKind(kind), p -> System.err.println("  running: " + p));
        } catch (dev.editgate.core.runner.RunnerException e) { // outside any property: the harness could not finish
            System.err.println("editgate harness: the runner failed outside a property, nothing was judged: " + e.getMessage());
            return EditgateCli.EXIT_INCONCLUSIVE;
        }
        String rerun = "editgate harness --model " + model.model + " --runner '" + runner + "' --layer " + l + " --tries " + tries + " --seed " + s
                + (heads ? "" : " --edit-kind " + kind.name());
        GateReport report = HarnessReport.of(r, model.model, folder, ck, l, s, tries, started, rerun);
        ReportFiles files = ReportWriter.write(report, reportDir);
        if (junitXml != null) dev.editgate.reports.JunitXmlReport.write(report, junitXml);
        r.notes().forEach(n -> out.println("  " + n));
        GateCommand.printSummary(out, report, files);
        return GateCommand.exitCode(report.verdict());
    }
}
