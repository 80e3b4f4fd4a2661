package dev.editgate.properties;

/** Thrown while generating when a value cannot be made from the choices (a filter gave up); the try is discarded. */
final class Rejected extends RuntimeException {
    Rejected(String reason) {
        super(reason, null, false, false);
    }
}
