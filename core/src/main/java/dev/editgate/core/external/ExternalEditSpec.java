package dev.editgate.core.external;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How to run a lab's edit command (protocol: docs/external-edit-protocol.md).
 *
 * @param command argv of the command, e.g. {@code [python3, my_edit.py]}
 * @param mode    {@link Mode#ONE_SHOT} (a process per trial) or {@link Mode#WORKER} (one long-lived process)
 * @param timeout per trial; on expiry the whole process tree is killed
 * @param workDir the command's working directory
 */
public record ExternalEditSpec(List<String> command, Mode mode, Duration timeout, Path workDir) {
    public enum Mode { ONE_SHOT, WORKER }

    public ExternalEditSpec {
        command = List.copyOf(command);
        if (command.isEmpty()) throw new IllegalArgumentException("--edit-command is empty");
        if (mode == null) throw new IllegalArgumentException("mode is required (one-shot or worker)");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        if (workDir == null) workDir = Path.of("").toAbsolutePath();
    }

    /**
     * Splits {@code commandLine} like a POSIX shell does words: whitespace separates, single quotes are
     * literal, double quotes group, backslash escapes one character. No globbing, variables or pipes.
     */
    public static ExternalEditSpec parse(String commandLine, Mode mode, Duration timeout, Path workDir) {
        return new ExternalEditSpec(split(commandLine), mode, timeout, workDir);
    }

    /** Default timeout 120 s, working directory the current one. */
    public static ExternalEditSpec parse(String commandLine, Mode mode) {
        return parse(commandLine, mode, Duration.ofSeconds(120), null);
    }

    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote == '\'') {
                if (c == '\'') quote = 0; else cur.append(c);
            } else if (quote == '"') {
                if (c == '"') quote = 0;
                else if (c == '\\' && i + 1 < s.length() && "\"\\$`".indexOf(s.charAt(i + 1)) >= 0) cur.append(s.charAt(++i));
                else cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) out.add(cur.toString());
                cur.setLength(0);
                inWord = false;
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) throw new IllegalArgumentException("--edit-command '" + s + "': unclosed " + quote);
        if (inWord) out.add(cur.toString());
        return out;
    }
}
