package dev.editgate.core.external;

import java.time.Duration;

/**
 * One external trial as observed by the gate.
 *
 * @param exitCode   the process's exit code (one-shot), or -1 when it was killed or is a worker still alive
 * @param stderrTail the last few KiB the command wrote to stderr during this trial
 */
public record TrialStats(String requestId, boolean ok, Duration wallTime, int exitCode, String stderrTail, String error) {}
