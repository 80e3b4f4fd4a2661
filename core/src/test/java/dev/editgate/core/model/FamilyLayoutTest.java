package dev.editgate.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.editgate.core.checkpoint.Checkpoint;
import dev.editgate.core.edit.BuiltInHeadPermutation;
import dev.editgate.core.edit.GroupedHeads;
import dev.editgate.core.edit.Permutation;
import dev.editgate.core.safetensors.DType;
import dev.editgate.core.safetensors.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Arange-labelled layout tests for the Llama family and GPT-2: every tensor holds its own flat indices, the built-in
 * head permutation is applied, and each moved element is checked against where the Hugging Face modeling code
 * reads head h from, written here from that code and not from the adapters:
 * LlamaAttention: {@code q_proj(x).view(B, T, heads, hd)} (head h = rows h*hd..), {@code k_proj/v_proj(x).view(B, T, kv, hd)},
 * {@code o_proj(attn.reshape(B, T, heads*hd))} (head h = columns h*hd..); GPT2Attention: {@code c_attn(x).split(d, dim=2)} then
 * {@code view(B, T, heads, hd)} (q of head h = columns h*hd.., k = d + h*hd.., v = 2d + h*hd..), and {@code c_proj} (Conv1D,
 * rows = input) reads the merged heads (head h = rows h*hd..).
 */
class FamilyLayoutTest {

    static Checkpoint labelled(ModelConfig c) {
        ModelLayout layout = ModelLayout.of(c, java.util.Set.of());
        Map<String, Tensor> ts = new LinkedHashMap<>();
        for (TensorSpec s : layout.tensorTable()) {
            long n = 1;
            for (long d : s.shape()) n *= d;
            double[] v = new double[Math.toIntExact(n)];
            for (int i = 0; i < v.length; i++) v[i] = i;
            ts.put(s.name(), Tensor.of(s.name(), DType.F32, s.shape(), v));
        }
        return new Checkpoint(c, ts, Optional.empty());
    }

    static ModelConfig llama(int hidden, int heads, int kv, int hd, boolean bias) {
        return new ModelConfig("llama", 64, hidden, 2, heads, kv, hd, 32, NormKind.RMS_NORM, 1e-5, "silu", true, PositionKind.ROTARY,
                1.0, 10000, Optional.empty(), 64, bias, bias, false, false, false, "float32", 0);
    }

    /** element [r][c] of a 2-D labelled tensor as it now holds, decoded back to the original (row, column). */
    static int[] rc(Tensor t, int r, int c) {
        int v = (int) t.getDouble((long) r * t.dim(1) + c);
        return new int[] {v / t.dim(1), v % t.dim(1)};
    }

    @Test
    void llamaGqaMovesQueryRowsByPiKvRowsBySigmaAndOColumnsByPi() {
        for (int[] shape : new int[][] {{32, 8, 2, 4}, {24, 6, 2, 4}, {24, 4, 4, 8}}) {       // hidden, heads, kv, hd (last: hd*heads != hidden)
            ModelConfig c = llama(shape[0], shape[1], shape[2], shape[3], true);
            int heads = shape[1], kv = shape[2], hd = shape[3], g = heads / kv;
            Checkpoint ck = labelled(c);
            Permutation groups = kv >= 2 ? Permutation.transposition(kv, 0, kv - 1) : Permutation.identity(kv);
            Permutation inner = g >= 2 ? Permutation.transposition(g, 0, 1) : Permutation.identity(1);
            Permutation p = g == 1 ? Permutation.parse("(0 1 2)", heads) : GroupedHeads.compose(groups, java.util.Collections.nCopies(kv, inner));
            Checkpoint e = BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, 1, p);
            String l = "model.layers.1.self_attn.";
            for (int h = 0; h < heads; h++) {
                for (int d = 0; d < hd; d++) {
                    assertThat(rc(e.tensor(l + "q_proj.weight"), h * hd + d, 3)).containsExactly(p.apply(h) * hd + d, 3);
                    assertThat(e.tensor(l + "q_proj.bias").getDouble(h * hd + d)).isEqualTo(p.apply(h) * hd + d);
                    assertThat(rc(e.tensor(l + "o_proj.weight"), 5, h * hd + d)).containsExactly(5, p.apply(h) * hd + d);
                }
            }
            for (int j = 0; j < kv; j++) {
                int sigma = p.apply(j * g) / g;                                  // the old KV head new KV head j reads
                for (int d = 0; d < hd; d++) {
                    for (String t : List.of("k_proj", "v_proj")) {
                        assertThat(rc(e.tensor(l + t + ".weight"), j * hd + d, 1)).containsExactly(sigma * hd + d, 1);
                        assertThat(e.tensor(l + t + ".bias").getDouble(j * hd + d)).isEqualTo(sigma * hd + d);
                    }
                }
            }
            assertThat(e.tensor(l + "o_proj.bias").bitEquals(ck.tensor(l + "o_proj.bias"))).isTrue();
            assertThat(BuiltInHeadPermutation.touchedTensors(ck, 1)).hasSize(7);
        }
    }

    @Test
    void aPermutationThatSplitsAKvGroupIsRefusedNamingTheGroup() {
        Checkpoint ck = labelled(llama(32, 8, 2, 4, false));
        assertThatThrownBy(() -> BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, 0, Permutation.parse("(3 4)", 8)))
                .hasMessageContaining("--perm: permutation (3 4) splits a KV group: new query heads 0..3 (KV group 0)")
                .hasMessageContaining("with 2 KV heads of 4 query heads each");
    }

    @Test
    void gpt2MovesCAttnColumnsInEachThirdAndCProjRows() {
        ModelConfig c = new ModelConfig("gpt2", 64, 24, 2, 6, 6, 4, 96, NormKind.LAYER_NORM, 1e-5, "gelu_new", false, PositionKind.LEARNED,
                1.0, 10000, Optional.empty(), 16, true, true, true, false, true, "float32", 0);
        Checkpoint ck = labelled(c);
        Permutation p = Permutation.parse("(0 5 2)(1 3)", 6);
        Checkpoint e = BuiltInHeadPermutation.INSTANCE.permuteHeads(ck, 0, p);
        int d = 24, hd = 4;
        for (int h = 0; h < 6; h++) {
            for (int k = 0; k < hd; k++) {
                for (int third = 0; third < 3; third++) {
                    int col = third * d + h * hd + k, from = third * d + p.apply(h) * hd + k;
                    assertThat(rc(e.tensor("h.0.attn.c_attn.weight"), 7, col)).containsExactly(7, from);
                    assertThat(e.tensor("h.0.attn.c_attn.bias").getDouble(col)).isEqualTo(from);
                }
                assertThat(rc(e.tensor("h.0.attn.c_proj.weight"), h * hd + k, 2)).containsExactly(p.apply(h) * hd + k, 2);
            }
        }
        assertThat(e.tensor("h.0.attn.c_proj.bias").bitEquals(ck.tensor("h.0.attn.c_proj.bias"))).isTrue();
    }

    @Test
    void familiesAreDetectedFromConfigJsonAndOthersAreRefusedWithTheList() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(Architectures.detect(json.readTree("{\"model_type\": \"qwen2\"}")).family()).isEqualTo("llama");
        assertThat(Architectures.detect(json.readTree("{\"architectures\": [\"GPT2LMHeadModel\"]}")).family()).isEqualTo("gpt2");
        assertThatThrownBy(() -> Architectures.detect(json.readTree("{\"model_type\": \"bert\"}")))
                .hasMessage("config.json: model_type 'bert' is not supported; editgate reads gpt_neox, llama, mistral, qwen2, gpt2");
        ModelConfig qwen = Architectures.parse(json.readTree("{\"model_type\": \"qwen2\", \"vocab_size\": 64, \"hidden_size\": 24, "
                + "\"num_hidden_layers\": 1, \"num_attention_heads\": 6, \"num_key_value_heads\": 2, \"intermediate_size\": 8, "
                + "\"tie_word_embeddings\": true}"));
        assertThat(qwen.qkvBias()).isTrue();
        assertThat(qwen.outputBias()).isFalse();
        assertThat(qwen.groupSize()).isEqualTo(3);
        assertThat(ModelLayout.of(qwen, java.util.Set.of()).unembedding()).isEqualTo("model.embed_tokens.weight");
        assertThatThrownBy(() -> Architectures.parse(json.readTree("{\"model_type\": \"llama\", \"vocab_size\": 64, \"hidden_size\": 24, "
                + "\"num_hidden_layers\": 1, \"num_attention_heads\": 6, \"intermediate_size\": 8, \"rope_scaling\": {\"rope_type\": \"yarn\"}}")))
                .hasMessageContaining("rope_scaling type 'yarn' is not supported");
    }

    @Test
    void gpt2NamesWithOrWithoutTheTransformerPrefix() {
        ModelConfig c = new ModelConfig("gpt2", 64, 24, 1, 6, 6, 4, 96, NormKind.LAYER_NORM, 1e-5, "gelu_new", false, PositionKind.LEARNED,
                1.0, 10000, Optional.empty(), 16, true, true, true, false, true, "float32", 0);
        assertThat(ModelLayout.of(c, java.util.Set.of("transformer.wte.weight")).name(TensorRole.QKV_WEIGHT, 0))
                .isEqualTo("transformer.h.0.attn.c_attn.weight");
        assertThat(ModelLayout.of(c, java.util.Set.of("wte.weight")).name(TensorRole.QKV_WEIGHT, 0)).isEqualTo("h.0.attn.c_attn.weight");
        assertThat(new Gpt2Architecture().isBuffer("h.0.attn.bias")).isTrue();
        assertThat(new Gpt2Architecture().isBuffer("h.0.attn.c_attn.bias")).isFalse();
    }
}
