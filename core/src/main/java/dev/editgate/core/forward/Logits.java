package dev.editgate.core.forward;

import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.SafetensorsWriter;
import dev.editgate.core.safetensors.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Logits of a batch, row-major {@code [batch, seq, vocab]}, widened to double from the compute dtype
 * (so fp32 and fp16 values are represented exactly).
 */
public record Logits(int batch, int seq, int vocab, double[] values) {

    public Logits {
        if (batch <= 0 || seq <= 0 || vocab <= 0) {
            throw new IllegalArgumentException("logits shape [" + batch + ", " + seq + ", " + vocab + "] must be positive");
        }
        if ((long) batch * seq * vocab != values.length) {
            throw new IllegalArgumentException("logits shape [" + batch + ", " + seq + ", " + vocab + "] needs "
                    + (long) batch * seq * vocab + " values, got " + values.length);
        }
    }

    public double get(int b, int t, int v) {
        return values[index(b, t, v)];
    }

    /** Flat index of {@code (b, t, v)} (checked). */
    public int index(int b, int t, int v) {
        if (b < 0 || b >= batch || t < 0 || t >= seq || v < 0 || v >= vocab) {
            throw new IndexOutOfBoundsException("(" + b + ", " + t + ", " + v + ") outside [" + batch + ", " + seq + ", " + vocab + "]");
        }
        return (b * seq + t) * vocab + v;
    }

    /** A copy of the logits of sequence {@code b} at position {@code t}. */
    public double[] row(int b, int t) {
        int from = index(b, t, 0);
        return java.util.Arrays.copyOfRange(values, from, from + vocab);
    }

    /** The highest-scoring token at {@code (b, t)}; ties go to the lowest id, as torch.argmax does. */
    public int argmax(int b, int t) {
        int from = index(b, t, 0);
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (values[from + v] > values[from + best]) best = v;
        }
        return best;
    }

    /** Top-1 minus top-2 logit at {@code (b, t)}: small values mark near-ties that a rounding error may flip. */
    public double topTwoMargin(int b, int t) {
        int from = index(b, t, 0);
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            double x = values[from + v];
            if (x > first) {
                second = first;
                first = x;
            } else if (x > second) {
                second = x;
            }
        }
        return first - second;
    }

    /** The argmax token of every sequence's last position. */
    public int[] argmaxLast() {
        int[] out = new int[batch];
        for (int b = 0; b < batch; b++) out[b] = argmax(b, seq - 1);
        return out;
    }

    /** Sequence {@code b} alone, as a batch of one. */
    public Logits sequence(int b) {
        int from = index(b, 0, 0);
        return new Logits(1, seq, vocab, java.util.Arrays.copyOfRange(values, from, from + seq * vocab));
    }

    /** Writes float32 {@code logits}: shape {@code [T, V]} for a batch of one, else {@code [B, T, V]}. */
    public void writeSafetensors(Path file) {
        long[] shape = batch == 1 ? new long[] {seq, vocab} : new long[] {batch, seq, vocab};
        Tensor t = Tensor.of("logits", DType.F32, shape, values);
        SafetensorsWriter.write(file, List.of(t), Map.of("format", "pt", "producer", "editgate logits"));
    }
}
