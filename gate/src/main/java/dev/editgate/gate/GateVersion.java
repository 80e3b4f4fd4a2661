package dev.editgate.gate;

/** Versions reported in the environment section. */
public final class GateVersion {
    public static final String EDITGATE = "0.1.0";

    private GateVersion() {}

    public static String djl() {
        return ai.djl.engine.Engine.getDjlVersion();
    }

    /** The PyTorch native library version, as DJL's engine reports it (loads the engine). */
    public static String pytorch() {
        try {
            return ai.djl.engine.Engine.getEngine("PyTorch").getVersion();
        } catch (RuntimeException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
