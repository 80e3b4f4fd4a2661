package dev.editgate.gate.harness;

import dev.editgate.core.runner.RunnerSpec;
import dev.editgate.fixtures.PythonClient;
import dev.editgate.reports.model.PropertyReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/** The numpy reference runner (and its mutants) as runner specs, and readable summaries of harness results. */
final class HarnessTestSupport {
    private HarnessTestSupport() {}

    static boolean pythonAvailable() {
        return PythonClient.get().available();
    }

    static Path runnerScript() {
        return PythonClient.sourceFolder().resolve("runners").resolve("numpy_runner.py");
    }

    /** The reference runner, or with {@code mutant} one of its planted bugs. */
    static RunnerSpec numpyRunner(String mutant, String... extra) {
        String cmd = PythonClient.get().executable() + " " + runnerScript() + (mutant == null ? "" : " --mutant " + mutant)
                + (extra.length == 0 ? "" : " " + String.join(" ", extra));
        return RunnerSpec.parse("command:" + cmd, Duration.ofSeconds(120), null);
    }

    static String summary(Harness.Result r) {
        return r.properties().stream().map(p -> p.name() + ": " + p.status()
                        + (p.status() == PropertyReport.Status.FAILED ? "\n  counterexample: " + (p.counterexample() == null ? "-" : p.counterexample().shrunkCycles())
                        + "\n  failure: " + p.failureMessage() + "\n  diagnosis: " + p.diagnosis() : ""))
                .collect(Collectors.joining("\n")) + "\n" + String.join("\n", r.notes());
    }
}
