package dev.editgate.core.runner;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.editgate.core.external.WorkerReply;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The runner's first stdout line (runner protocol 1): who it is, what it can do, which dtype it computes in.
 *
 * @param runner       a free-form name for reports
 * @param dtype        {@code float64}, {@code float32}, {@code float16} or {@code bfloat16}: the precision the runner
 *                     says it computes in, which sets the tolerance it is judged by
 * @param tokenizes    whether it accepts text prompts
 * @param capabilities the operations it answers ({@link #OPERATIONS}), {@code logits} always among them
 */
public record RunnerHello(String runner, String dtype, boolean tokenizes, Set<String> capabilities) {
    public static final int PROTOCOL = 1;
    public static final List<String> OPERATIONS = List.of("logits", "generate", "patch_heads", "ablate_heads");
    public static final List<String> DTYPES = List.of("float64", "float32", "float16", "bfloat16");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public RunnerHello {
        capabilities = Set.copyOf(capabilities);
    }

    public boolean can(String op) {
        return capabilities.contains(op);
    }

    /** Parses and checks the hello line strictly; the message says what was expected. */
    public static RunnerHello parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            node = null;
        }
        String example = " (expected one JSON line like {\"protocol\": 1, \"runner\": \"...\", \"dtype\": \"float32\", "
                + "\"tokenizes\": false, \"capabilities\": [\"logits\", \"generate\", \"patch_heads\", \"ablate_heads\"]})";
        if (node == null || !node.isObject()) throw new RunnerException("the runner's first line is not a hello: " + WorkerReply.abbreviate(line) + example);
        JsonNode protocol = node.get("protocol");
        if (protocol == null || !protocol.isInt() || protocol.intValue() != PROTOCOL) {
            throw new RunnerException("the runner speaks protocol " + (protocol == null ? "(none)" : protocol) + "; editgate speaks runner protocol " + PROTOCOL + example);
        }
        JsonNode dtype = node.get("dtype");
        if (dtype == null || !dtype.isTextual() || !DTYPES.contains(dtype.asText().toLowerCase(Locale.ROOT))) {
            throw new RunnerException("hello field \"dtype\" must be one of " + DTYPES + ", got " + (dtype == null ? "nothing" : dtype));
        }
        JsonNode caps = node.get("capabilities");
        if (caps == null || !caps.isArray() || caps.isEmpty()) throw new RunnerException("hello field \"capabilities\" must be a non-empty array drawn from " + OPERATIONS + ", got " + caps);
        Set<String> set = new LinkedHashSet<>();
        for (JsonNode c : caps) {
            if (!c.isTextual() || !OPERATIONS.contains(c.asText())) throw new RunnerException("hello capability " + c + " is not one of " + OPERATIONS);
            set.add(c.asText());
        }
        if (!set.contains("logits")) throw new RunnerException("hello capabilities " + set + " lack \"logits\", which every runner must answer");
        JsonNode tok = node.get("tokenizes");
        if (tok != null && !tok.isBoolean()) throw new RunnerException("hello field \"tokenizes\" must be true or false, got " + tok);
        JsonNode name = node.get("runner");
        return new RunnerHello(name == null || !name.isTextual() ? "runner" : name.asText(), dtype.asText().toLowerCase(Locale.ROOT),
                tok != null && tok.booleanValue(), set);
    }
}
