package dev.editgate.properties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Remembers the last failing choice sequence of each property (by name), so that the next run
 * replays it first; a property that passes has its entry removed. One small text file per
 * property, holding the choices separated by spaces.
 */
public final class FailureDatabase {
    /** The default location, relative to the working directory (the module folder under Maven). */
    public static final Path DEFAULT_DIRECTORY = Path.of("target", "editgate-failures");

    private final Path directory; // null: remembers nothing

    private FailureDatabase(Path directory) {
        this.directory = directory;
    }

    public static FailureDatabase inDirectory(Path directory) {
        return new FailureDatabase(directory);
    }

    /** {@code target/editgate-failures} in the working directory. */
    public static FailureDatabase standard() {
        return new FailureDatabase(DEFAULT_DIRECTORY);
    }

    /** A database that stores and replays nothing. */
    public static FailureDatabase none() {
        return new FailureDatabase(null);
    }

    /** The stored choices of {@code propertyName}, if any (an unreadable entry counts as none). */
    public Optional<long[]> load(String propertyName) {
        if (directory == null) return Optional.empty();
        Path file = fileFor(propertyName);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return Optional.of(text.isEmpty() ? new long[0] : Arrays.stream(text.split("\\s+")).mapToLong(Long::parseLong).toArray());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public void save(String propertyName, long[] choices) {
        if (directory == null) return;
        try {
            Files.createDirectories(directory);
            StringBuilder sb = new StringBuilder();
            for (long c : choices) sb.append(c).append(' ');
            Files.writeString(fileFor(propertyName), sb.toString().strip() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the counterexample of property '" + propertyName + "' in " + directory, e);
        }
    }

    public void remove(String propertyName) {
        if (directory == null) return;
        try {
            Files.deleteIfExists(fileFor(propertyName));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the stored counterexample of property '" + propertyName + "'", e);
        }
    }

    /** A file name readable by people and unique per property name. */
    Path fileFor(String propertyName) {
        String safe = propertyName.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.length() > 80) safe = safe.substring(0, 80);
        return directory.resolve(safe + "-" + Integer.toHexString(propertyName.hashCode()) + ".choices");
    }

    @Override
    public String toString() {
        return directory == null ? "no failure database" : "failure database in " + directory;
    }
}
