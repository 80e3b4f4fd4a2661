package dev.editgate.properties;

import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.safetensors.DType;
import dev.editgate.fixtures.Fixtures;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** One layer of the tiny GPT-NeoX fixture (6 heads, 2 layers) in one dtype: where a head permutation is applied. */
record EditTarget(DType dtype, int layer) {
    static final int HEADS = 6;
    private static final List<DType> DTYPES = List.of(DType.F32, DType.F16, DType.BF16);
    private static final Map<DType, Checkpoint> CHECKPOINTS = new EnumMap<>(DType.class);

    /** Every dtype and layer of the tiny fixture; F32 layer 0 first, the simplest to shrink to. */
    static List<EditTarget> all() {
        List<EditTarget> out = new ArrayList<>();
        for (DType dtype : DTYPES) {
            for (int layer = 0; layer < 2; layer++) out.add(new EditTarget(dtype, layer));
        }
        return out;
    }

    static Gen<EditTarget> gen() {
        return Gens.choice(all());
    }

    /** The tiny fixture in this dtype, loaded once per test JVM. */
    synchronized Checkpoint checkpoint() {
        return CHECKPOINTS.computeIfAbsent(dtype, d -> Checkpoint.load(Fixtures.tiny(d)));
    }

    @Override
    public String toString() {
        return "tiny " + dtype + " layer " + layer;
    }
}
