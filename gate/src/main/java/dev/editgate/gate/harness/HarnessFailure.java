package dev.editgate.gate.harness;

/**
 * Thrown by a harness property's body: what went wrong for one generated input, and, where the pattern is
 * recognisable, what the runner's code seems to do (empty when nothing is recognised).
 */
public final class HarnessFailure extends AssertionError {
    private final String diagnosis;

    public HarnessFailure(String message, String diagnosis) {
        super(message);
        this.diagnosis = diagnosis == null ? "" : diagnosis;
    }

    public String diagnosis() { return diagnosis; }
}
