package dev.editgate.core.runner;

import dev.editgate.core.external.ExternalEditSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to run a lab's runner (docs/runner-protocol.md).
 *
 * @param command argv, e.g. {@code [python3, my_runner.py]}
 * @param timeout per request (and for the hello line); on expiry the runner's whole process tree is killed
 * @param workDir the runner's working directory
 */
public record RunnerSpec(List<String> command, Duration timeout, Path workDir) {
    public RunnerSpec {
        command = List.copyOf(command);
        if (command.isEmpty()) throw new IllegalArgumentException("--runner: the command is empty");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("--runner timeout must be positive, got " + timeout);
        if (workDir == null) workDir = Path.of("").toAbsolutePath();
    }

    /** {@code command:python3 my_runner.py} (the {@code command:} prefix is optional), split as a POSIX shell splits words. */
    public static RunnerSpec parse(String value, Duration timeout, Path workDir) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException("--runner needs a value, e.g. --runner \"command:python3 my_runner.py\"");
        String line = value.startsWith("command:") ? value.substring("command:".length()) : value;
        List<String> argv = ExternalEditSpec.parse(line, ExternalEditSpec.Mode.WORKER, timeout, workDir).command();
        return new RunnerSpec(argv, timeout, workDir);
    }

    /** The command as typed (for messages). */
    public String display() {
        return String.join(" ", command);
    }
}
