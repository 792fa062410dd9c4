package org.herd.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.herd.node.protocol.LineParser;
import org.herd.node.service.Busy;
import org.herd.stream.fence.FenceParser;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** What the public API's handlers share: reading parameters and ids, and the answers they all give. */
final class Requests {
    private Requests() {
    }

    static HttpReply health(boolean up) {
        return HttpReply.json(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                new Bodies.Health(up ? "UP" : "STARTING"));
    }

    static String single(Map<String, List<String>> query, String name, List<String> problems) {
        List<String> v = query.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() != 1) {
            problems.add(name + " must be given once");
            return null;
        }
        return v.get(0);
    }

    static void requireFenceId(String id) {
        if (!FenceParser.isValidId(id)) {
            throw new BadRequest("fence id must be 1 to " + FenceParser.MAX_ID_CHARS
                    + " characters of letters, digits, '-', '.', '_' or '~'");
        }
    }

    /** 503 with Retry-After: a write refused at once by the in-flight limit, or one that did not complete in time. */
    static HttpReply failed(Throwable e, String notInTime) {
        return Busy.is(e)
                ? HttpReply.unavailable("too many writes in flight on this node; nothing was published; retry shortly", 1)
                : HttpReply.unavailable(notInTime, 1);
    }

    static HttpReply methodNotAllowed() {
        return HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
    }

    static CompletableFuture<HttpReply> done(HttpReply r) {
        return CompletableFuture.completedFuture(r);
    }

    static String param(Map<String, List<String>> params, String name, String fallback) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? fallback : v.get(0);
    }

    static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual()) {
            throw new BadRequest("\"" + field + "\" is required and must be a string");
        }
        return v.asText();
    }

    static void requireClientId(String client) {
        if (!LineParser.isValidClientId(client)) {
            throw new BadRequest("invalid client id: 1 to 256 characters, no white space or control characters");
        }
    }
}
