package dev.editgate.gate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The prompts the functional and behavioural stages run: a file (one prompt per line, {@code \n} escapes a newline) or the built-in set. */
public final class PromptSet {
    /** The seed's decimal prompts first, then a few everyday ones. */
    public static final List<String> BUILT_IN = List.of(
            "Which is bigger: 9.8 or 9.11?",
            "Q: Which is bigger: 9.8 or 9.11?\nA:",
            "The capital of France is",
            "def fibonacci(n):\n    if n < 2:",
            "In 1969, the first humans walked on");

    private PromptSet() {}

    public static List<String> load(Path file) {
        if (file == null) return BUILT_IN;
        try {
            dev.editgate.core.files.InputFile.check(file, "a prompt file", dev.editgate.core.files.InputFile.MAX_SMALL_FILE);
            List<String> prompts = Files.readAllLines(file).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.replace("\\n", "\n"))
                    .toList();
            if (prompts.isEmpty()) throw new IllegalArgumentException("--prompts " + file + ": no prompts (expected one prompt per line; # starts a comment)");
            return prompts;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompt file " + file, e);
        }
    }
}
