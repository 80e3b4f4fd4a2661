package dev.editgate.core.external;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * One worker reply line, checked strictly: a single JSON object, no duplicate keys, nothing after it,
 * {@code "id"} the request's id as a string, {@code "ok"} a JSON boolean ({@code 1} or {@code "true"} is not
 * true), {@code "error"} a string when present.
 *
 * @param error the worker's message when {@code ok} is false, bounded to {@link #MAX_ERROR} characters
 */
public record WorkerReply(boolean ok, String error) {
    public static final int MAX_ERROR = 4000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Thrown for a reply that breaks the protocol; the worker cannot be trusted for the next request. */
    public static final class ProtocolViolation extends Exception {
        ProtocolViolation(String message) {
            super(message);
        }
    }

    public static WorkerReply parse(String line, String id) throws ProtocolViolation {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolViolation("garbage reply on stdout (expected one JSON line {\"id\":..., \"ok\":...}): " + abbreviate(line));
        }
        JsonNode rid = node.get("id");
        if (rid == null || !rid.isTextual() || !rid.asText().equals(id)) {
            throw new ProtocolViolation("reply for request id " + (rid == null ? "(none)" : abbreviate(rid.toString())) + " instead of \"" + id + "\"");
        }
        JsonNode ok = node.get("ok");
        if (ok == null || !ok.isBoolean()) {
            throw new ProtocolViolation("reply field \"ok\" must be true or false, got " + (ok == null ? "nothing" : abbreviate(ok.toString())
                    + " (" + ok.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ")"));
        }
        JsonNode error = node.get("error");
        if (error != null && !error.isTextual() && !error.isNull()) {
            throw new ProtocolViolation("reply field \"error\" must be a string, got " + abbreviate(error.toString()));
        }
        String msg = error == null || error.isNull() ? "(no error message)" : OutputTail.bounded(error.asText(), MAX_ERROR);
        return new WorkerReply(ok.booleanValue(), ok.booleanValue() ? null : msg);
    }

    public static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "… (" + (s.length() - 200) + " more characters)" : s;
    }
}
