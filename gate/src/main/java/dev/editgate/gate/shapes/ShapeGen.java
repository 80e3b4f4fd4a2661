package dev.editgate.gate.shapes;

import dev.editgate.core.safetensors.DType;
import dev.editgate.properties.Choices;
import dev.editgate.properties.Gen;
import java.util.List;

/**
 * Small random model shapes of one family, drawn from the property engine's choice sequence so that a failure
 * shrinks like any other counterexample: the choices are drawn in the order layers, heads (KV heads, then the
 * group size), head_dim, head_dim mode, MLP width, rotary fraction, biases, tied embeddings, residual, dtype,
 * weight seed, and each option's first value is its simplest, so shrinking reaches the fewest layers, then the
 * fewest heads, the smallest hidden size and the simplest options. Models are tiny (hidden ≤ 256, ≤ 3 layers):
 * writing one takes milliseconds.
 */
public final class ShapeGen implements Gen<Shape> {
    /** The families {@code shapes:FAMILY} accepts (model_type values). */
    public static final List<String> FAMILIES = List.of("gpt_neox", "llama", "mistral", "qwen2", "gpt2");
    static final int MAX_LAYERS = 3;
    /** Heads of a multi-head family: 1..8. */
    static final int MAX_HEADS = 8;
    /** KV heads of the Llama family: 1..4 (1 is multi-query). */
    static final int MAX_KV_HEADS = 4;
    /** Query heads per KV head (1 is multi-head attention); heads = KV heads × group size covers every divisor of heads ≤ 16. */
    static final List<Integer> GROUP_SIZES = List.of(1, 2, 3, 4);
    static final List<Integer> HEAD_DIMS = List.of(4, 8, 6);
    static final List<Integer> MLP_FACTORS = List.of(1, 2);
    static final List<Double> ROTARY = List.of(1.0, 0.5, 0.25);
    static final List<DType> DTYPES = List.of(DType.F32, DType.F16, DType.BF16);
    static final int MAX_SEED = 1_000_000;

    private final String modelType;

    private ShapeGen(String modelType) {
        this.modelType = modelType;
    }

    /** The generator of {@code modelType}'s shapes; the error lists the families. */
    public static ShapeGen of(String modelType) {
        if (!FAMILIES.contains(modelType)) {
            throw new IllegalArgumentException("unknown family '" + modelType + "' for shapes:FAMILY; expected one of " + String.join(", ", FAMILIES));
        }
        return new ShapeGen(modelType);
    }

    public String modelType() { return modelType; }

    @Override
    public Shape generate(Choices c) {
        boolean llama = !modelType.equals("gpt_neox") && !modelType.equals("gpt2");
        int layers = 1 + c.drawInt(MAX_LAYERS - 1);
        int kv, group;
        if (llama) {
            kv = 1 + c.drawInt(MAX_KV_HEADS - 1);
            group = pick(c, GROUP_SIZES);
        } else {
            kv = 1 + c.drawInt(MAX_HEADS - 1);
            group = 1;
        }
        int headDim = pick(c, HEAD_DIMS);
        int headDimMode = llama ? c.drawInt(2) : 0;
        int mlp = pick(c, MLP_FACTORS);
        double rotary = 1.0;
        if (modelType.equals("gpt_neox")) {
            double r = pick(c, ROTARY);
            int rd = (int) (headDim * r);
            rotary = rd > 0 && rd % 2 == 0 ? r : 1.0;   // transformers needs int(head_dim * rotary_pct) even
        }
        boolean bias = switch (modelType) {
            case "qwen2", "gpt2" -> true;
            case "mistral" -> false;
            default -> c.drawBoolean(0.5);
        };
        boolean tied = !modelType.equals("gpt_neox") && c.drawBoolean(0.5);
        boolean parallel = modelType.equals("gpt_neox") && c.drawBoolean(0.5);
        DType dtype = pick(c, DTYPES);
        long seed = c.draw(MAX_SEED);
        return new Shape(modelType, layers, kv, group, headDim, headDimMode, mlp, rotary, bias, tied, parallel, dtype, seed);
    }

    private static <T> T pick(Choices c, List<T> values) {
        return values.get(c.drawInt(values.size() - 1));
    }
}
