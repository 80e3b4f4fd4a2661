package dev.editgate.gate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The gate never trusts the edit: it records every file of the original model folder (size, modification
 * time, file key and a CRC32C of the content) before the first trial and checks them after each trial
 * (metadata, cheap) and after each stage (content). An edit that touches its input fails with the file.
 */
final class OriginalIntegrity {
    private record FileState(long size, long modifiedMillis, Object fileKey, long crc) {}

    private final Path folder;
    private final Map<Path, FileState> states;

    private OriginalIntegrity(Path folder, Map<Path, FileState> states) {
        this.folder = folder;
        this.states = states;
    }

    static OriginalIntegrity capture(Path folder) {
        return new OriginalIntegrity(folder, snapshot(folder, true));
    }

    void checkMetadata() {
        compare(snapshot(folder, false), false);
    }

    void checkContent() {
        compare(snapshot(folder, true), true);
    }

    private void compare(Map<Path, FileState> now, boolean content) {
        for (var e : states.entrySet()) {
            FileState before = e.getValue();
            FileState after = now.get(e.getKey());
            if (after == null) throw new AssertionError("edit modified its input: " + e.getKey() + " was deleted");
            boolean same = before.size == after.size && before.modifiedMillis == after.modifiedMillis
                    && java.util.Objects.equals(before.fileKey, after.fileKey) && (!content || before.crc == after.crc);
            if (!same) throw new AssertionError("edit modified its input: " + e.getKey() + " changed");
        }
        for (Path p : now.keySet()) {
            if (!states.containsKey(p)) throw new AssertionError("edit modified its input: " + p + " was created in the original model folder");
        }
    }

    private static Map<Path, FileState> snapshot(Path folder, boolean content) {
        Map<Path, FileState> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.sorted().toList()) {
                if (!Files.isRegularFile(p)) continue;
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.put(p, new FileState(a.size(), a.lastModifiedTime().toMillis(), a.fileKey(), content ? crc(p) : 0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the original model folder " + folder, e);
        }
        return out;
    }

    private static long crc(Path p) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        return crc.getValue();
    }
}
