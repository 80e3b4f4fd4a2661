package dev.editgate.core.forward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.editgate.core.model.ModelConfig;
import dev.editgate.core.model.TensorRole;

/**
 * The one place where families differ in how attention gets its q, k and v from the normed residual stream
 * {@code h (B, T, C)}: each returns {q (B, nh, T, hd), k (B, nkv, T, hd), v (B, nkv, T, hd)}.
 */
enum QkvSplit {
    /** GPT-NeoX: one fused Linear; output laid out per head, then q/k/v: {@code [heads, 3, hd]}. */
    INTERLEAVED_PER_HEAD {
        @Override
        NDArray[] project(NDArray h, LayerWeights w, ModelConfig c) {
            long batch = h.getShape().get(0), seq = h.getShape().get(1);
            int heads = c.numAttentionHeads(), hd = c.headDim();
            NDArray qkv = linear(h, w, TensorRole.QKV_WEIGHT, TensorRole.QKV_BIAS);   // (B, T, 3C)
            qkv = qkv.reshape(batch, seq, heads, 3L * hd)                             // (B, T, nh, 3*hd)
                    .transpose(0, 2, 1, 3);                                           // (B, nh, T, 3*hd)
            NDList parts = qkv.split(new long[] {hd, 2L * hd}, 3);
            return new NDArray[] {parts.get(0), parts.get(1), parts.get(2)};          // each (B, nh, T, hd)
        }
    },
    /** GPT-2: one fused Conv1D ({@code c_attn}); output laid out {@code [q | k | v]}, each {@code [heads, hd]}. */
    COMPONENT_MAJOR {
        @Override
        NDArray[] project(NDArray h, LayerWeights w, ModelConfig c) {
            NDArray qkv = linear(h, w, TensorRole.QKV_WEIGHT, TensorRole.QKV_BIAS);   // (B, T, 3C)
            NDList parts = qkv.split(3, 2);                                           // 3 x (B, T, C)
            return new NDArray[] {heads(parts.get(0), c.numAttentionHeads(), c), heads(parts.get(1), c.numAttentionHeads(), c),
                    heads(parts.get(2), c.numAttentionHeads(), c)};
        }
    },
    /** Llama, Mistral, Qwen2: separate q/k/v Linears; k and v have kv_heads heads (grouped-query attention). */
    SEPARATE {
        @Override
        NDArray[] project(NDArray h, LayerWeights w, ModelConfig c) {
            NDArray q = linear(h, w, TensorRole.Q_WEIGHT, TensorRole.Q_BIAS);          // (B, T, nh*hd)
            NDArray k = linear(h, w, TensorRole.K_WEIGHT, TensorRole.K_BIAS);          // (B, T, nkv*hd)
            NDArray v = linear(h, w, TensorRole.V_WEIGHT, TensorRole.V_BIAS);          // (B, T, nkv*hd)
            return new NDArray[] {heads(q, c.numAttentionHeads(), c), heads(k, c.numKeyValueHeads(), c), heads(v, c.numKeyValueHeads(), c)};
        }
    };

    abstract NDArray[] project(NDArray h, LayerWeights w, ModelConfig c);

    static QkvSplit of(ModelConfig c) {
        return switch (c.architecture().family()) {
            case "gpt_neox" -> INTERLEAVED_PER_HEAD;
            case "gpt2" -> COMPONENT_MAJOR;
            case "llama" -> SEPARATE;
            default -> throw new IllegalArgumentException("no forward for family " + c.architecture().family());
        };
    }

    static NDArray linear(NDArray x, LayerWeights w, TensorRole weight, TensorRole bias) {
        return Projection.apply(x, w.get(weight), w.optional(bias));
    }

    /** (B, T, n*hd) -> (B, n, T, hd). */
    private static NDArray heads(NDArray x, int n, ModelConfig c) {
        long batch = x.getShape().get(0), seq = x.getShape().get(1);
        return x.reshape(batch, seq, n, c.headDim())                                   // (B, T, n, hd)
                .transpose(0, 2, 1, 3);                                                 // (B, n, T, hd)
    }
}
