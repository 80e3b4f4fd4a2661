package dev.editgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptNeoxConfigTest {
    @TempDir Path dir;
    static final ObjectMapper JSON = new ObjectMapper();

    /** pythia-160m's config.json as published on the hub. */
    static final String PYTHIA_160M = """
            {"architectures": ["GPTNeoXForCausalLM"], "bos_token_id": 0, "eos_token_id": 0, "hidden_act": "gelu",
             "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072, "layer_norm_eps": 1e-05,
             "max_position_embeddings": 2048, "model_type": "gpt_neox", "num_attention_heads": 12,
             "num_hidden_layers": 12, "rotary_emb_base": 10000, "rotary_pct": 0.25, "tie_word_embeddings": false,
             "torch_dtype": "float16", "transformers_version": "4.24.0", "use_cache": true,
             "use_parallel_residual": true, "vocab_size": 50304}
            """;

    Path write(String json) throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void readsPythia160m() throws IOException {
        GptNeoxConfig c = GptNeoxConfig.read(write(PYTHIA_160M));
        assertThat(c).isEqualTo(GptNeoxConfig.pythia160m());
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.rotaryNdims()).isEqualTo(16);
    }

    @Test
    void appliesTransformersDefaults() throws IOException {
        GptNeoxConfig c = GptNeoxConfig.read(write(
                "{\"vocab_size\": 100, \"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"intermediate_size\": 256}"));
        assertThat(c.hiddenAct()).isEqualTo("gelu");
        assertThat(c.rotaryPct()).isEqualTo(0.25);
        assertThat(c.rotaryEmbBase()).isEqualTo(10000);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(c.layerNormEps()).isEqualTo(1e-5);
        assertThat(c.useParallelResidual()).isTrue();
        assertThat(c.attentionBias()).isTrue();
        assertThat(c.torchDtype()).isEqualTo("float32");
    }

    @Test
    void acceptsNewerSpellings() throws IOException {
        GptNeoxConfig c = GptNeoxConfig.read(write("{\"vocab_size\": 100, \"hidden_size\": 64, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 256, \"partial_rotary_factor\": 0.5, \"rope_theta\": 500,"
                + " \"dtype\": \"bfloat16\"}"));
        assertThat(c.rotaryPct()).isEqualTo(0.5);
        assertThat(c.rotaryEmbBase()).isEqualTo(500);
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
        GptNeoxConfig r = GptNeoxConfig.read(write("{\"vocab_size\": 100, \"hidden_size\": 64, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 256,"
                + " \"rope_parameters\": {\"partial_rotary_factor\": 1.0, \"rope_theta\": 20000}}"));
        assertThat(r.rotaryPct()).isEqualTo(1.0);
        assertThat(r.rotaryEmbBase()).isEqualTo(20000);
    }

    @Test
    void toJsonRoundTrips() throws IOException {
        GptNeoxConfig c = GptNeoxConfig.pythia160m();
        Path f = dir.resolve("config.json");
        c.write(f);
        assertThat(GptNeoxConfig.read(f)).isEqualTo(c);
        assertThat(JSON.readTree(Files.readString(f)).get("architectures").get(0).asText()).isEqualTo("GPTNeoXForCausalLM");
    }

    @Test
    void missingFieldsAreNamedWithTheFile() throws IOException {
        for (String field : new String[] {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size"}) {
            ObjectNode o = (ObjectNode) JSON.readTree(PYTHIA_160M);
            o.remove(field);
            Path f = write(o.toString());
            assertThatThrownBy(() -> GptNeoxConfig.read(f)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(f.toString()).hasMessageContaining("missing required field '" + field + "'");
        }
        ObjectNode o = (ObjectNode) JSON.readTree(PYTHIA_160M);
        o.put("hidden_size", "768");
        Path f = write(o.toString());
        assertThatThrownBy(() -> GptNeoxConfig.read(f)).hasMessageContaining("field 'hidden_size' must be an integer, got \"768\"");
        o = (ObjectNode) JSON.readTree(PYTHIA_160M);
        o.put("vocab_size", 5_000_000_000L);
        Path big = write(o.toString());
        assertThatThrownBy(() -> GptNeoxConfig.read(big)).hasMessageContaining("field 'vocab_size' must be an integer, got 5000000000");
        o = (ObjectNode) JSON.readTree(PYTHIA_160M);
        o.put("rotary_pct", "a quarter");
        Path g = write(o.toString());
        assertThatThrownBy(() -> GptNeoxConfig.read(g)).hasMessageContaining("field 'rotary_pct' must be a number");
    }

    @Test
    void invalidValuesAreExplained() throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(PYTHIA_160M);
        o.put("num_attention_heads", 10);
        Path f = write(o.toString());
        assertThatThrownBy(() -> GptNeoxConfig.read(f)).hasMessageContaining(f.toString())
                .hasMessageContaining("hidden_size 768 must be divisible by num_attention_heads 10");
        o = (ObjectNode) JSON.readTree(PYTHIA_160M);
        o.put("model_type", "llama");
        Path g = write(o.toString());
        assertThatThrownBy(() -> GptNeoxConfig.read(g)).hasMessageContaining("model_type is 'llama'; editgate supports 'gpt_neox'");
        o = (ObjectNode) JSON.readTree(PYTHIA_160M);
        o.put("hidden_act", "swish");
        Path h = write(o.toString());
        assertThatThrownBy(() -> GptNeoxConfig.read(h)).hasMessageContaining("hidden_act 'swish' is not supported");
        o = (ObjectNode) JSON.readTree(PYTHIA_160M);
        o.put("rotary_pct", 1.5);
        Path r = write(o.toString());
        assertThatThrownBy(() -> GptNeoxConfig.read(r)).hasMessageContaining("rotary_pct must be in (0, 1], got 1.5");
        o = (ObjectNode) JSON.readTree(PYTHIA_160M);
        o.put("vocab_size", -1);
        Path v = write(o.toString());
        assertThatThrownBy(() -> GptNeoxConfig.read(v)).hasMessageContaining("vocab_size must be positive, got -1");
    }

    @Test
    void malformedJsonAndMissingFile() throws IOException {
        Path f = write("{\"vocab_size\": 10,");
        assertThatThrownBy(() -> GptNeoxConfig.read(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("not valid JSON");
        Path a = write("[1, 2]");
        assertThatThrownBy(() -> GptNeoxConfig.read(a)).hasMessageContaining("config.json must be a JSON object");
        Path missing = dir.resolve("nope/config.json");
        assertThatThrownBy(() -> GptNeoxConfig.read(missing)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("config.json not found");
    }

    @Test
    void wronglyTypedValuesAreErrorsNotDefaults() throws IOException {
        String base = "{\"vocab_size\": 100, \"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4,"
                + " \"intermediate_size\": 256, ";
        String[][] cases = {
                {"\"layer_norm_eps\": \"abc\"", "field 'layer_norm_eps' must be a number, got \"abc\""},
                {"\"use_parallel_residual\": \"no\"", "field 'use_parallel_residual' must be true or false, got \"no\""},
                {"\"attention_bias\": \"maybe\"", "field 'attention_bias' must be true or false, got \"maybe\""},
                {"\"torch_dtype\": 5", "field 'torch_dtype' must be a string, got 5"},
                {"\"hidden_act\": 1", "field 'hidden_act' must be a string, got 1"},
                {"\"max_position_embeddings\": \"2048\"", "field 'max_position_embeddings' must be an integer, got \"2048\""},
                {"\"rope_parameters\": {\"rope_theta\": \"big\"}", "field 'rope_theta' must be a number, got \"big\""},
                {"\"num_hidden_layers\": 2000000000, \"x\": 0", "field 'num_hidden_layers' must be an integer at most"},
        };
        for (String[] c : cases) {
            String json = base + c[0] + "}";
            if (c[0].startsWith("\"num_hidden_layers\"")) json = json.replace("\"num_hidden_layers\": 2, ", "");
            Path f = write(json);
            assertThatThrownBy(() -> GptNeoxConfig.read(f)).as(c[0]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(f.toString()).hasMessageContaining(c[1]);
        }
    }

    @Test
    void invalidJsonIsOneLineWithoutParserInternals() throws IOException {
        Path f = write("{\"vocab_size\": 10,,}");
        assertThatThrownBy(() -> GptNeoxConfig.read(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(f + ": not valid JSON at line 1, column ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Source").doesNotContain("\n"));
    }
}
