package dev.editgate.core.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What the gate asks an edit that is meant to change the model to do: the edit's name (the protocol-2
 * {@code "edit"} field), and its parameters as the lab defines them (the {@code "params"} object; for a knowledge
 * edit e.g. subject, relation prompt, target). The gate adds {@code prompt_ids} / {@code target_id} to the
 * parameters when it knows the tokenizer, so JVM edits need not tokenize.
 */
public record EditRequest(String edit, ObjectNode params) {

    public EditRequest {
        Objects.requireNonNull(edit, "edit");
        if (edit.isBlank()) throw new IllegalArgumentException("an edit request needs an edit name");
        params = params == null ? JsonNodeFactory.instance.objectNode() : params.deepCopy();
    }

    @Override
    public ObjectNode params() { return params.deepCopy(); }

    /** The integer parameter {@code key}; the error names the edit, the key and what was found. */
    public int intParam(String key) {
        JsonNode n = params.get(key);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException("edit '" + edit + "': parameter '" + key + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    /** The integer parameter {@code key}, or {@code fallback} when absent. */
    public int intParam(String key, int fallback) {
        return params.has(key) ? intParam(key) : fallback;
    }

    /** The number parameter {@code key}, or {@code fallback} when absent. */
    public double doubleParam(String key, double fallback) {
        JsonNode n = params.get(key);
        if (n == null) return fallback;
        if (!n.isNumber()) throw new IllegalArgumentException("edit '" + edit + "': parameter '" + key + "' must be a number, got " + n);
        return n.doubleValue();
    }

    /** The integer-array parameter {@code key}. */
    public int[] intsParam(String key) {
        JsonNode n = params.get(key);
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw new IllegalArgumentException("edit '" + edit + "': parameter '" + key + "' must be a non-empty array of token ids, got " + n);
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isIntegralNumber()) throw new IllegalArgumentException("edit '" + edit + "': " + key + "[" + i + "] is not an integer: " + n.get(i));
            out[i] = n.get(i).intValue();
        }
        return out;
    }

    @Override
    public String toString() { return edit + " " + params; }
}
