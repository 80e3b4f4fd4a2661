package dev.editgate.core.device;

import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * The compute devices DJL's PyTorch engine sees, checked before a gate starts, and the one way editgate prints
 * a device ({@code cpu}, {@code gpu(0)}), whatever DJL calls it ({@code cpu()}).
 */
public final class Devices {
    /** The device setting every command uses when none is given. */
    public static final String DEFAULT = "auto";

    private Devices() {}

    /** Number of GPUs DJL's PyTorch engine sees (loads the engine). */
    public static int gpuCount() {
        return Engine.getEngine("PyTorch").getGpuCount();
    }

    /**
     * Checks that {@code device} (cpu, gpu, auto) names a device this machine has; throws
     * IllegalArgumentException naming {@code --device} otherwise. Only {@code gpu} loads the engine.
     */
    public static void requireAvailable(String device) {
        String d = device == null ? DEFAULT : device.strip().toLowerCase(Locale.ROOT);
        switch (d) {
            case "cpu", "auto" -> { }
            case "gpu", "cuda" -> {
                int gpus = gpuCount();
                if (gpus == 0) {
                    throw new IllegalArgumentException("--device gpu: DJL's PyTorch engine sees no GPU (CPU libtorch "
                            + Engine.getEngine("PyTorch").getVersion() + "); use --device cpu or auto");
                }
            }
            default -> throw new IllegalArgumentException("--device '" + device + "': expected cpu, gpu or auto");
        }
    }

    /** {@code cpu()} → {@code cpu}; {@code gpu(0)} stays {@code gpu(0)}. */
    public static String display(String djlName) {
        return djlName == null ? "" : djlName.replace("()", "");
    }
}
