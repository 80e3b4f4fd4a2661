package dev.editgate.core.checkpoint;

import dev.editgate.core.config.GptNeoxConfig;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** Small in-memory GPT-NeoX checkpoints for tests: arange-labelled or random. */
public final class TestCheckpoints {
    private TestCheckpoints() {}

    /** {@code layers} layers, {@code heads} heads of {@code hd}; vocab 10, intermediate 2*hidden. */
    public static GptNeoxConfig config(int layers, int heads, int hd, DType dtype) {
        int hidden = heads * hd;
        double rotaryPct = hd % 2 == 0 ? 0.5 : 1.0;
        if ((int) (hd * rotaryPct) % 2 != 0) rotaryPct = 2.0 / hd;
        return new GptNeoxConfig(10, hidden, layers, heads, 2 * hidden, "gelu", rotaryPct, 10000, 64, 1e-5, true, true,
                dtype.torchName());
    }

    /** The default small shape: 2 layers, 6 heads of 4 (hidden 24). */
    public static GptNeoxConfig config(DType dtype) {
        return config(2, 6, 4, dtype);
    }

    /** Every tensor holds {@code 0, 1, 2, ...} (its own flat index) in {@code dtype}. */
    public static Checkpoint labelled(GptNeoxConfig c, DType dtype) {
        return build(c, (name, shape) -> {
            double[] v = new double[Math.toIntExact(numel(shape))];
            for (int i = 0; i < v.length; i++) v[i] = i;
            return Tensor.of(name, dtype, shape, v);
        });
    }

    /** Gaussian weights, deterministic in {@code seed}. */
    public static Checkpoint random(GptNeoxConfig c, DType dtype, long seed) {
        return build(c, (name, shape) -> {
            SplittableRandom rng = new SplittableRandom(seed * 31 + name.hashCode());
            double[] v = new double[Math.toIntExact(numel(shape))];
            for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble(-1, 1) + rng.nextDouble(-1, 1);
            return Tensor.of(name, dtype, shape, v);
        });
    }

    interface Maker {
        Tensor make(String name, long[] shape);
    }

    static Checkpoint build(GptNeoxConfig c, Maker maker) {
        long h = c.hiddenSize(), v = c.vocabSize(), ff = c.intermediateSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(GptNeoxNames.EMBED_IN, new long[] {v, h});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            shapes.put(GptNeoxNames.inputLnWeight(i), new long[] {h});
            shapes.put(GptNeoxNames.inputLnBias(i), new long[] {h});
            shapes.put(GptNeoxNames.postAttnLnWeight(i), new long[] {h});
            shapes.put(GptNeoxNames.postAttnLnBias(i), new long[] {h});
            shapes.put(GptNeoxNames.qkvWeight(i), new long[] {3 * h, h});
            shapes.put(GptNeoxNames.qkvBias(i), new long[] {3 * h});
            shapes.put(GptNeoxNames.denseWeight(i), new long[] {h, h});
            shapes.put(GptNeoxNames.denseBias(i), new long[] {h});
            shapes.put(GptNeoxNames.mlpUpWeight(i), new long[] {ff, h});
            shapes.put(GptNeoxNames.mlpUpBias(i), new long[] {ff});
            shapes.put(GptNeoxNames.mlpDownWeight(i), new long[] {h, ff});
            shapes.put(GptNeoxNames.mlpDownBias(i), new long[] {h});
        }
        shapes.put(GptNeoxNames.FINAL_LN_WEIGHT, new long[] {h});
        shapes.put(GptNeoxNames.FINAL_LN_BIAS, new long[] {h});
        shapes.put(GptNeoxNames.EMBED_OUT, new long[] {v, h});
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> tensors.put(name, maker.make(name, shape)));
        return new Checkpoint(c.toModelConfig(), tensors, Optional.empty());
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
