package dev.editgate.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Typed, strict reads of a model configuration's fields (a Hugging Face {@code config.json} or any JSON
 * object of settings). A value of the wrong type is an error naming the key, the expected type and what
 * was found; it is never replaced by the default, the way Jackson's {@code asInt()}/{@code asBoolean()} would.
 * A key that is absent or {@code null} takes the default (transformers treats {@code None} the same way).
 *
 * <p>Every numeric accessor takes inclusive bounds, so a value that would size an allocation or a loop
 * (e.g. {@code num_hidden_layers: 2000000000}) is refused before anything is sized from it. Pass
 * {@link Integer#MIN_VALUE}/{@link Integer#MAX_VALUE} (or {@code ±Double.MAX_VALUE}) for "no bound".
 *
 * <pre>{@code
 * ConfigFields f = ConfigFields.of(root, "config.json");
 * int layers = f.requiredInt("num_hidden_layers", 1, 4096);
 * double eps = f.optionalDouble("layer_norm_eps", 1e-5, Double.MIN_VALUE, 1);
 * boolean parallel = f.optionalBoolean("use_parallel_residual", true);
 * }</pre>
 *
 * Errors are {@link IllegalArgumentException}s starting with the source name, e.g.
 * {@code config.json: field 'layer_norm_eps' must be a number, got "abc"}.
 */
public final class ConfigFields {
    private final JsonNode root;
    private final String source;

    private ConfigFields(JsonNode root, String source) {
        this.root = root;
        this.source = source;
    }

    /** Fields of {@code root}, which must be a JSON object; {@code source} (e.g. {@code config.json}) starts every message. */
    public static ConfigFields of(JsonNode root, String source) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException(source + " must be a JSON object");
        return new ConfigFields(root, source);
    }

    /** The underlying object, for reads this class does not cover. */
    public JsonNode root() { return root; }

    /** True when {@code key} is present with a non-null value. */
    public boolean has(String key) {
        JsonNode n = root.get(key);
        return n != null && !n.isNull();
    }

    /** The first of {@code keys} that {@link #has} a value, e.g. a field and its newer alias. */
    public Optional<String> firstPresent(String... keys) {
        for (String k : keys) if (has(k)) return Optional.of(k);
        return Optional.empty();
    }

    /** A nested object's fields, when {@code key} holds an object; an error when it holds anything else. */
    public Optional<ConfigFields> optionalObject(String key) {
        if (!has(key)) return Optional.empty();
        JsonNode n = root.get(key);
        if (!n.isObject()) throw error(key, "must be an object", n);
        return Optional.of(new ConfigFields(n, source + " field '" + key + "'"));
    }

    /** An integer that must be present, within [{@code min}, {@code max}]. */
    public int requiredInt(String key, int min, int max) {
        if (!has(key)) throw new IllegalArgumentException(source + ": missing required field '" + key + "'");
        return intValue(key, min, max);
    }

    /** An integer within [{@code min}, {@code max}], or {@code defaultValue} when absent. */
    public int optionalInt(String key, int defaultValue, int min, int max) {
        return has(key) ? intValue(key, min, max) : defaultValue;
    }

    /** A finite number (integer or decimal) within [{@code min}, {@code max}], or {@code defaultValue} when absent. */
    public double optionalDouble(String key, double defaultValue, double min, double max) {
        if (!has(key)) return defaultValue;
        JsonNode n = root.get(key);
        if (!n.isNumber()) throw error(key, "must be a number", n);
        double v = n.asDouble();
        if (!Double.isFinite(v)) throw error(key, "must be a finite number", n);
        if (v < min || v > max) throw error(key, "must be a number in [" + min + ", " + max + "]", n);
        return v;
    }

    /** {@code true} or {@code false} (JSON booleans only: not "no", 0 or "maybe"), or {@code defaultValue} when absent. */
    public boolean optionalBoolean(String key, boolean defaultValue) {
        if (!has(key)) return defaultValue;
        JsonNode n = root.get(key);
        if (!n.isBoolean()) throw error(key, "must be true or false", n);
        return n.booleanValue();
    }

    /** A JSON string, or {@code defaultValue} when absent. */
    public String optionalString(String key, String defaultValue) {
        if (!has(key)) return defaultValue;
        JsonNode n = root.get(key);
        if (!n.isTextual()) throw error(key, "must be a string", n);
        return n.textValue();
    }

    private int intValue(String key, int min, int max) {
        JsonNode n = root.get(key);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw error(key, "must be an integer", n);
        int v = n.intValue();
        if (v < min || v > max) {
            String range = min == Integer.MIN_VALUE ? "at most " + max : max == Integer.MAX_VALUE ? "at least " + min
                    : "in [" + min + ", " + max + "]";
            throw error(key, "must be an integer " + range, n);
        }
        return v;
    }

    private IllegalArgumentException error(String key, String expected, JsonNode got) {
        String shown = got.toString();
        if (shown.length() > 80) shown = shown.substring(0, 77) + "...";
        return new IllegalArgumentException(source + ": field '" + key + "' " + expected + ", got " + shown);
    }
}
