package dev.editgate.core.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Strict, typed reads of config.json fields: a wrong type is an error naming the key, never a silent default. */
final class ConfigReader {
    private final JsonNode root;

    ConfigReader(JsonNode root) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException("config.json must be a JSON object");
        this.root = root;
    }

    private JsonNode get(String key) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? null : n;
    }

    boolean has(String key) { return get(key) != null; }

    int requiredInt(String key) {
        JsonNode n = get(key);
        if (n == null) throw new IllegalArgumentException("config.json: missing required field '" + key + "'");
        return asInt(key, n);
    }

    int optionalInt(String key, int fallback) {
        JsonNode n = get(key);
        return n == null ? fallback : asInt(key, n);
    }

    private static int asInt(String key, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException("config.json: field '" + key + "' must be an integer, got " + n);
        }
        return n.asInt();
    }

    double optionalDouble(String key, double fallback) {
        JsonNode n = get(key);
        if (n == null) return fallback;
        if (!n.isNumber()) throw new IllegalArgumentException("config.json: field '" + key + "' must be a number, got " + n);
        return n.asDouble();
    }

    boolean optionalBoolean(String key, boolean fallback) {
        JsonNode n = get(key);
        if (n == null) return fallback;
        if (!n.isBoolean()) throw new IllegalArgumentException("config.json: field '" + key + "' must be true or false, got " + n);
        return n.asBoolean();
    }

    String optionalString(String key, String fallback) {
        JsonNode n = get(key);
        if (n == null) return fallback;
        if (!n.isTextual()) throw new IllegalArgumentException("config.json: field '" + key + "' must be a string, got " + n);
        return n.asText();
    }

    /** A nested object, or null when absent or JSON null. */
    ConfigReader optionalObject(String key) {
        JsonNode n = get(key);
        if (n == null) return null;
        if (!n.isObject()) throw new IllegalArgumentException("config.json: field '" + key + "' must be an object, got " + n);
        return new ConfigReader(n);
    }
}
