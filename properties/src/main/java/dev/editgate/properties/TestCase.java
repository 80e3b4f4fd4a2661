package dev.editgate.properties;

import java.util.List;

/**
 * One run of a property body on one generated value.
 *
 * @param choices  the choices the generator actually consumed
 * @param spans    the spans generators marked in them
 * @param status   what happened
 * @param value    the generated value ({@code null} when the try was discarded)
 * @param failure  what the body threw, when it failed
 */
record TestCase(long[] choices, List<Choices.Span> spans, Status status, Object value, Throwable failure) {
    enum Status { PASSED, FAILED, DISCARDED }

    boolean failed() {
        return status == Status.FAILED;
    }
}
