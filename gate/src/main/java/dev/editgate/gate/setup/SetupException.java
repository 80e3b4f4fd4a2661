package dev.editgate.gate.setup;

/**
 * The gate could not start because of the setup, not the edit: a report folder it cannot write, a device the
 * machine lacks, an edit command that does not start or does not answer. The CLI exits 2 with the message.
 */
public final class SetupException extends RuntimeException {
    public SetupException(String message) {
        super(message);
    }

    public SetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
