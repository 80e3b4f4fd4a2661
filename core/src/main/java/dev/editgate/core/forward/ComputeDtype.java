package dev.editgate.core.forward;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The precision a forward computes in. Weights are converted once at load time (bf16 is widened to fp32 in
 * Java first: DJL's PyTorch engine has no bfloat16).
 */
public enum ComputeDtype {
    FLOAT64(DataType.FLOAT64, "fp64"),
    FLOAT32(DataType.FLOAT32, "fp32"),
    FLOAT16(DataType.FLOAT16, "fp16");

    private final DataType djl;
    private final String shortName;

    ComputeDtype(DataType djl, String shortName) {
        this.djl = djl;
        this.shortName = shortName;
    }

    /** The DJL data type (package-private use by the forward; other modules speak ComputeDtype). */
    DataType djl() { return djl; }

    /** "fp64", "fp32" or "fp16". */
    public String shortName() { return shortName; }

    /** Unit roundoff of the type: 2^-53, 2^-24, 2^-11. */
    public double unitRoundoff() {
        return switch (this) {
            case FLOAT64 -> 0x1p-53;
            case FLOAT32 -> 0x1p-24;
            case FLOAT16 -> 0x1p-11;
        };
    }

    /** Parses "fp64|float64|fp32|float32|fp16|float16" (case-insensitive); the error names {@code --dtype}. */
    public static ComputeDtype parse(String s) {
        String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (k) {
            case "fp64", "float64", "double" -> FLOAT64;
            case "fp32", "float32", "float" -> FLOAT32;
            case "fp16", "float16", "half" -> FLOAT16;
            case "bf16", "bfloat16" -> throw new IllegalArgumentException("--dtype " + s
                    + " is not supported: DJL's PyTorch engine has no bfloat16 (a bf16 array aborts the JVM); supported: fp32, fp16, fp64."
                    + " A bf16 checkpoint works with --dtype fp32: its weights are widened to fp32 exactly");
            default -> throw new IllegalArgumentException("--dtype '" + s + "' is not supported; expected fp64, fp32 or fp16");
        };
    }

    @Override
    public String toString() { return shortName; }
}
