package dev.editgate.core.runner;

/** A runner request that failed: the runner crashed, timed out, broke the protocol, modified its input or answered {@code ok:false}. */
public final class RunnerException extends RuntimeException {
    public RunnerException(String message) {
        super(message);
    }
}
