package dev.editgate.gate.setup;

import dev.editgate.core.device.Devices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks made before the gate starts, so a broken setup ends in one clear line and exit 2 instead of a
 * failed (or inconclusive) gate: the report folder can be written, and the device exists.
 */
public final class Preflight {
    private Preflight() {}

    /** Creates {@code dir} if needed and writes (then deletes) a probe file in it. */
    public static void reportFolderWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".editgate-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new SetupException("--report " + dir + ": cannot write reports there (" + e + "); choose a writable folder", e);
        }
    }

    /** The {@code device} setting names a device this machine has ({@code gpu} needs a GPU DJL can see). */
    public static void deviceAvailable(String device) {
        try {
            Devices.requireAvailable(device);
        } catch (IllegalArgumentException e) {
            throw new SetupException(e.getMessage(), e);
        }
    }
}
