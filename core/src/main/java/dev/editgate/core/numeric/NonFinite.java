package dev.editgate.core.numeric;

import dev.editgate.core.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Finds NaN and infinities by their bit patterns (all-ones exponent), in place, for every floating dtype.
 * Integer and bool tensors cannot hold either and scan as finite.
 */
public final class NonFinite {
    private NonFinite() {}

    public static NonFiniteScan scan(Tensor t) {
        ByteBuffer b = t.data();
        long n = t.numel();
        long nan = 0, inf = 0, first = -1;
        switch (t.dtype()) {
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    long x = b.getLong(i * 8) & 0x7FFF_FFFF_FFFF_FFFFL;
                    if (x >= 0x7FF0_0000_0000_0000L) {
                        if (x == 0x7FF0_0000_0000_0000L) inf++; else nan++;
                        if (first < 0) first = i;
                    }
                }
            }
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    int x = b.getInt(i * 4) & 0x7FFF_FFFF;
                    if (x >= 0x7F80_0000) {
                        if (x == 0x7F80_0000) inf++; else nan++;
                        if (first < 0) first = i;
                    }
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    int x = b.getShort(i * 2) & 0x7FFF;
                    if (x >= 0x7C00) {
                        if (x == 0x7C00) inf++; else nan++;
                        if (first < 0) first = i;
                    }
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    int x = b.getShort(i * 2) & 0x7FFF;
                    if (x >= 0x7F80) {
                        if (x == 0x7F80) inf++; else nan++;
                        if (first < 0) first = i;
                    }
                }
            }
            default -> {
                // integer, bool and fp8 tensors: integers and bools hold no NaN/Inf; fp8 is not interpreted
            }
        }
        return new NonFiniteScan(t.name(), nan, inf, first);
    }

    /** Scans every tensor, in order. */
    public static List<NonFiniteScan> scanAll(Collection<Tensor> tensors) {
        List<NonFiniteScan> out = new ArrayList<>();
        for (Tensor t : tensors) out.add(scan(t));
        return out;
    }
}
