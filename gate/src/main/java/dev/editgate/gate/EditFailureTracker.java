package dev.editgate.gate;

import java.util.Optional;

/**
 * Counts, per property, how often the edit under test was called and how often it threw, and whether every
 * throw said the same thing. An edit that fails on every call with one error (a missing tensor name, a crash in
 * the lab's code) has no smallest failing permutation: the gate reports that error once instead of shrinking
 * each property to a meaningless identity counterexample. Request ids and per-trial folders are ignored when
 * comparing messages.
 */
public final class EditFailureTracker {
    private int calls;
    private int failures;
    private String firstMessage;
    private boolean allAlike = true;

    /** Starts counting for a new property. */
    public synchronized void reset() {
        calls = 0;
        failures = 0;
        firstMessage = null;
        allAlike = true;
    }

    synchronized void called() {
        calls++;
    }

    synchronized void failed(Throwable t) {
        failures++;
        String m = normalize(String.valueOf(t.getMessage()));
        if (firstMessage == null) firstMessage = m;
        else if (!firstMessage.equals(m)) allAlike = false;
    }

    /**
     * The edit's error when it was called at least once during this property and every call threw the same
     * error; empty otherwise.
     */
    public synchronized Optional<String> sameErrorOnEveryCall() {
        return calls > 0 && failures == calls && allAlike ? Optional.of(firstMessage) : Optional.empty();
    }

    public synchronized int calls() { return calls; }

    public synchronized int failures() { return failures; }

    /** Drops what differs from trial to trial: request ids ({@code t17}) and the per-trial folders named after them. */
    static String normalize(String message) {
        return message.replaceAll("\\b(request|id) t\\d+\\b", "$1 t#")
                .replaceAll("(out|in|request|stderr)-t\\d+", "$1-t#")
                .replaceAll("\"t\\d+\"", "\"t#\"");
    }
}
