package dev.editgate.gate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A throw-away copy of a model folder, for edits known to write into their input (the mutates_input mutant). */
final class PrivateModelCopy {
    private PrivateModelCopy() {}

    static Path of(Path folder) {
        try {
            Path copy = Files.createTempDirectory("editgate-private-model-");
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + folder + " to a private folder", e);
        }
    }

    static void delete(Path copy) {
        try (Stream<Path> files = Files.list(copy)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(copy);
        } catch (IOException e) {
            System.err.println("editgate: could not delete the private model copy " + copy + ": " + e.getMessage());
        }
    }
}
