package dev.editgate.core.safetensors;

import java.util.Arrays;

/** The element types of the safetensors format; integer, bool and fp8 types are read as raw bytes. */
public enum DType {
    F64(8, true), F32(4, true), F16(2, true), BF16(2, true),
    I64(8, false), I32(4, false), I16(2, false), I8(1, false),
    U64(8, false), U32(4, false), U16(2, false), U8(1, false),
    BOOL(1, false), F8_E4M3(1, false), F8_E5M2(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** True for F64/F32/F16/BF16, the types editgate can read as numbers. */
    public boolean isFloating() { return floating; }

    /** The safetensors header spelling, e.g. {@code "F16"}. */
    public String headerName() { return name(); }

    /** Parses a safetensors dtype string; the message lists what is accepted. */
    public static DType fromHeader(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) return d;
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "'; expected one of " + Arrays.toString(values()));
    }

    /** Maps a config.json {@code torch_dtype} ("float16", "bfloat16", "float32", "float64"). */
    public static DType fromTorchName(String torchDtype) {
        return switch (torchDtype) {
            case "float16", "half" -> F16;
            case "bfloat16" -> BF16;
            case "float32", "float" -> F32;
            case "float64", "double" -> F64;
            default -> throw new IllegalArgumentException("unsupported torch_dtype '" + torchDtype
                    + "'; expected float16, bfloat16, float32 or float64");
        };
    }

    /** The config.json {@code torch_dtype} spelling of a floating type. */
    public String torchName() {
        return switch (this) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            case F32 -> "float32";
            case F64 -> "float64";
            default -> throw new IllegalStateException(this + " has no torch_dtype name");
        };
    }
}
