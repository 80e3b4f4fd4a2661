package dev.editgate.properties;

/** A failed property: the message is the {@link PropertyResult#report() report}, the cause the shrunk failure. */
public final class PropertyFailedError extends AssertionError {
    public PropertyFailedError(String report, Throwable cause) {
        super(report, cause);
    }
}
