package dev.editgate.reports;

import java.util.List;

/**
 * A long "what broke" message shown short: its first {@link #SHOWN} lines up front, the rest behind an
 * expander (HTML) or a count (terminal). The message itself always keeps every line.
 */
public final class MessageLines {
    public static final int SHOWN = 8;

    private MessageLines() {}

    public static List<String> lines(String message) {
        return Format.text(message).lines().toList();
    }

    /** The first {@link #SHOWN} lines, joined. */
    public static String head(String message) {
        List<String> l = lines(message);
        return String.join("\n", l.subList(0, Math.min(SHOWN, l.size())));
    }

    /** The lines after {@link #SHOWN}, joined; empty when there are none. */
    public static String rest(String message) {
        List<String> l = lines(message);
        return l.size() <= SHOWN ? "" : String.join("\n", l.subList(SHOWN, l.size()));
    }

    public static int hidden(String message) {
        return Math.max(0, lines(message).size() - SHOWN);
    }
}
