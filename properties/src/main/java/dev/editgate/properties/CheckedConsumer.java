package dev.editgate.properties;

/** A property body: fails by throwing anything (an {@link AssertionError}, an exception). */
@FunctionalInterface
public interface CheckedConsumer<T> {
    void accept(T value) throws Throwable;
}
