package org.herd.node.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.herd.stream.Json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A complete HTTP response: status, content type and body. */
public record HttpReply(HttpResponseStatus status, String contentType, byte[] body) {
    public static final String JSON = "application/json; charset=utf-8";

    public static HttpReply json(HttpResponseStatus status, Object body) {
        return new HttpReply(status, JSON, Json.encode(body));
    }

    public static HttpReply text(HttpResponseStatus status, String contentType, String body) {
        return new HttpReply(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpReply noContent() {
        return new HttpReply(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
    }

    /** {@code {"error": {"status": 400, "message": "...", "details": [...]}}}: every error looks like this. */
    public static HttpReply error(HttpResponseStatus status, String message, List<String> details) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("status", status.code());
        e.put("message", message);
        if (details != null && !details.isEmpty()) {
            e.put("details", details);
        }
        return json(status, Map.of("error", e));
    }

    public static HttpReply error(HttpResponseStatus status, String message) {
        return error(status, message, null);
    }
}
