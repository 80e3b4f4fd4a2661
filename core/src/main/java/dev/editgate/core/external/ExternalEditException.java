package dev.editgate.core.external;

/** A failed external trial: crash, timeout, garbage reply, bad output or a modified input. The message says which. */
public final class ExternalEditException extends RuntimeException {
    public ExternalEditException(String message) {
        super(message);
    }

    public ExternalEditException(String message, Throwable cause) {
        super(message, cause);
    }
}
