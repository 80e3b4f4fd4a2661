package dev.editgate.gate;

import dev.editgate.core.external.ScratchFolders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A throw-away copy of a model folder, for edits known to write into their input (the mutates_input mutant).
 * It is a {@link ScratchFolders} folder: deleted without following links, and at JVM exit if still there.
 */
final class PrivateModelCopy {
    private PrivateModelCopy() {}

    static Path of(Path folder) {
        Path copy = ScratchFolders.create("editgate-private-model-");
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.copy(f, copy.resolve(f.getFileName().toString()));
            return copy;
        } catch (IOException e) {
            ScratchFolders.delete(copy);
            throw new UncheckedIOException("cannot copy " + folder + " to a private folder", e);
        }
    }

    static void delete(Path copy) {
        if (!ScratchFolders.delete(copy)) System.err.println("editgate: could not delete the private model copy " + copy);
    }
}
