package dev.editgate.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;

/** The supported families, and which one a config.json belongs to. */
public final class Architectures {
    private Architectures() {}

    public static final List<Architecture> ALL = List.of(new GptNeoxArchitecture(), new LlamaArchitecture(), new Gpt2Architecture());

    /** Every supported {@code model_type}, for messages. */
    public static List<String> supportedModelTypes() {
        return ALL.stream().flatMap(a -> a.modelTypes().stream()).toList();
    }

    public static Architecture forModelType(String modelType) {
        for (Architecture a : ALL) if (a.modelTypes().contains(modelType)) return a;
        throw new IllegalArgumentException("config.json: model_type '" + modelType + "' is not supported; editgate reads "
                + String.join(", ", supportedModelTypes()));
    }

    /**
     * The family of a config.json, from {@code model_type} (a config without one is taken as GPT-NeoX, as
     * editgate always has, when its {@code architectures} say nothing else).
     */
    public static Architecture detect(JsonNode root) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException("config.json must be a JSON object");
        JsonNode type = root.get("model_type");
        if (type != null && !type.isNull()) {
            if (!type.isTextual()) throw new IllegalArgumentException("config.json: model_type must be a string, got " + type);
            return forModelType(type.asText());
        }
        JsonNode archs = root.get("architectures");
        if (archs != null && archs.isArray() && archs.size() > 0) {
            String a = archs.get(0).asText();
            if (a.startsWith("GPTNeoX")) return forModelType("gpt_neox");
            if (a.startsWith("Llama")) return forModelType("llama");
            if (a.startsWith("Mistral")) return forModelType("mistral");
            if (a.startsWith("Qwen2")) return forModelType("qwen2");
            if (a.startsWith("GPT2")) return forModelType("gpt2");
            throw new IllegalArgumentException("config.json: no model_type, and architectures[0] '" + a
                    + "' is not supported; editgate reads " + ALL.stream().map(Architecture::family).collect(Collectors.joining(", ")));
        }
        return forModelType("gpt_neox");
    }

    /** Parses a config.json of any supported family. */
    public static ModelConfig parse(JsonNode root) {
        return detect(root).parseConfig(root);
    }
}
