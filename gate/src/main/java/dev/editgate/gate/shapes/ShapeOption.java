package dev.editgate.gate.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The options of a generated shape that a one-option flip changes, in the order flips are preferred when more than
 * one passes (options that change what the edit's code must handle first: group size, head_dim, biases, tied
 * embeddings; then sizes; then numerics). Each option lists the other values it can take on a shape of its family.
 */
public enum ShapeOption {
    GROUP_SIZE("group size (heads/kv_heads)", s -> Integer.toString(s.groupSize())) {
        @Override List<Shape> alternatives(Shape s) {
            if (!s.family().equals("llama")) return List.of();
            return ShapeGen.GROUP_SIZES.stream().filter(g -> g != s.groupSize()).map(g -> with(s, s.kvHeads(), g, s.headDim(), s.headDimMode())).toList();
        }
    },
    HEAD_DIM_MODE("head_dim vs hidden/heads", s -> switch (s.headDimMode()) {
        case 0 -> "head_dim × heads = hidden";
        case 1 -> "hidden = 2 × heads × head_dim";
        default -> "hidden = heads × head_dim / 2";
    }) {
        @Override List<Shape> alternatives(Shape s) {
            if (!s.family().equals("llama")) return List.of();
            List<Shape> out = new ArrayList<>();
            for (int m = 0; m <= 2; m++) if (m != s.headDimMode()) out.add(with(s, s.kvHeads(), s.groupSize(), s.headDim(), m));
            return out;
        }
    },
    BIAS("attention biases", s -> s.bias() ? "present" : "absent") {
        @Override List<Shape> alternatives(Shape s) {
            if (!s.modelType().equals("gpt_neox") && !s.modelType().equals("llama")) return List.of();
            return List.of(new Shape(s.modelType(), s.layers(), s.kvHeads(), s.groupSize(), s.headDim(), s.headDimMode(), s.mlpFactor(),
                    s.rotaryPct(), !s.bias(), s.tied(), s.parallel(), s.dtype(), s.weightSeed()));
        }
    },
    TIED("embeddings", s -> s.tied() ? "tied" : "untied") {
        @Override List<Shape> alternatives(Shape s) {
            if (s.family().equals("gpt_neox")) return List.of();
            return List.of(new Shape(s.modelType(), s.layers(), s.kvHeads(), s.groupSize(), s.headDim(), s.headDimMode(), s.mlpFactor(),
                    s.rotaryPct(), s.bias(), !s.tied(), s.parallel(), s.dtype(), s.weightSeed()));
        }
    },
    KV_HEADS("KV heads", s -> Integer.toString(s.kvHeads())) {
        @Override List<Shape> alternatives(Shape s) {
            boolean llama = s.family().equals("llama");
            int max = llama ? ShapeGen.MAX_KV_HEADS : ShapeGen.MAX_HEADS;
            List<Shape> out = new ArrayList<>();
            for (int kv = 1; kv <= max; kv++) if (kv != s.kvHeads()) out.add(with(s, kv, s.groupSize(), s.headDim(), s.headDimMode()));
            return out;
        }

        @Override public String label(Shape s) { return s.family().equals("llama") ? "KV heads" : "heads"; }
    },
    HEAD_DIM("head_dim", s -> Integer.toString(s.headDim())) {
        @Override List<Shape> alternatives(Shape s) {
            List<Shape> out = new ArrayList<>();
            for (int hd : ShapeGen.HEAD_DIMS) {
                if (hd == s.headDim()) continue;
                int rd = (int) (hd * s.rotaryPct());
                if (s.family().equals("gpt_neox") && (rd <= 0 || rd % 2 != 0)) continue;
                out.add(with(s, s.kvHeads(), s.groupSize(), hd, s.headDimMode()));
            }
            return out;
        }
    },
    LAYERS("layers", s -> Integer.toString(s.layers())) {
        @Override List<Shape> alternatives(Shape s) {
            List<Shape> out = new ArrayList<>();
            for (int l = 1; l <= ShapeGen.MAX_LAYERS; l++) {
                if (l != s.layers()) out.add(new Shape(s.modelType(), l, s.kvHeads(), s.groupSize(), s.headDim(), s.headDimMode(), s.mlpFactor(),
                        s.rotaryPct(), s.bias(), s.tied(), s.parallel(), s.dtype(), s.weightSeed()));
            }
            return out;
        }
    },
    MLP("intermediate / hidden", s -> Integer.toString(s.mlpFactor())) {
        @Override List<Shape> alternatives(Shape s) {
            return ShapeGen.MLP_FACTORS.stream().filter(f -> f != s.mlpFactor()).map(f -> new Shape(s.modelType(), s.layers(), s.kvHeads(),
                    s.groupSize(), s.headDim(), s.headDimMode(), f, s.rotaryPct(), s.bias(), s.tied(), s.parallel(), s.dtype(), s.weightSeed())).toList();
        }
    },
    ROTARY("rotary fraction", s -> Double.toString(s.rotaryPct())) {
        @Override List<Shape> alternatives(Shape s) {
            if (!s.family().equals("gpt_neox")) return List.of();
            return ShapeGen.ROTARY.stream().filter(r -> r != s.rotaryPct() && (int) (s.headDim() * r) > 0 && (int) (s.headDim() * r) % 2 == 0)
                    .map(r -> new Shape(s.modelType(), s.layers(), s.kvHeads(), s.groupSize(), s.headDim(), s.headDimMode(), s.mlpFactor(), r,
                            s.bias(), s.tied(), s.parallel(), s.dtype(), s.weightSeed())).toList();
        }
    },
    PARALLEL("residual", s -> s.parallel() ? "parallel" : "sequential") {
        @Override List<Shape> alternatives(Shape s) {
            if (!s.family().equals("gpt_neox")) return List.of();
            return List.of(new Shape(s.modelType(), s.layers(), s.kvHeads(), s.groupSize(), s.headDim(), s.headDimMode(), s.mlpFactor(),
                    s.rotaryPct(), s.bias(), s.tied(), !s.parallel(), s.dtype(), s.weightSeed()));
        }
    },
    DTYPE("dtype", s -> s.dtype().name()) {
        @Override List<Shape> alternatives(Shape s) {
            return ShapeGen.DTYPES.stream().filter(d -> d != s.dtype()).map(d -> new Shape(s.modelType(), s.layers(), s.kvHeads(), s.groupSize(),
                    s.headDim(), s.headDimMode(), s.mlpFactor(), s.rotaryPct(), s.bias(), s.tied(), s.parallel(), d, s.weightSeed())).toList();
        }
    };

    private final String label;
    private final Function<Shape, String> value;

    ShapeOption(String label, Function<Shape, String> value) {
        this.label = label;
        this.value = value;
    }

    /** The option's name in a report, e.g. {@code group size (heads/kv_heads)}. */
    public String label(Shape s) { return label; }

    /** The option's value on {@code s}, as a report shows it. */
    public String value(Shape s) { return value.apply(s); }

    /** {@code s} with this option changed to each other value its family allows (nothing else changed). */
    abstract List<Shape> alternatives(Shape s);

    private static Shape with(Shape s, int kv, int group, int headDim, int mode) {
        return new Shape(s.modelType(), s.layers(), kv, group, headDim, mode, s.mlpFactor(), s.rotaryPct(), s.bias(), s.tied(), s.parallel(),
                s.dtype(), s.weightSeed());
    }
}
