package org.herd.node.http;

import org.herd.stream.model.Problems;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.herd.node.service.EventSource;
import org.herd.stream.model.Json;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * A complete HTTP response: status, content type, body, and for 503 the seconds after which a
 * retry makes sense ({@code Retry-After}; null for none).
 */
public record HttpReply(HttpResponseStatus status, String contentType, byte[] body, Integer retryAfterSeconds,
                        Function<EventSource.Sink, EventSource.Subscription> stream) {
    public static final String JSON = "application/json; charset=utf-8";

    public HttpReply(HttpResponseStatus status, String contentType, byte[] body) {
        this(status, contentType, body, null, null);
    }

    public HttpReply(HttpResponseStatus status, String contentType, byte[] body, Integer retryAfterSeconds) {
        this(status, contentType, body, retryAfterSeconds, null);
    }

    /**
     * A stream of Server-Sent Events: the server subscribes a sink of its own with {@code start}
     * (which may throw {@link org.herd.node.service.Busy}: then 503, or IllegalArgumentException:
     * then 400), answers 200 with {@code text/event-stream}, and writes events until either side ends.
     */
    public static HttpReply eventStream(Function<EventSource.Sink, EventSource.Subscription> start) {
        return new HttpReply(HttpResponseStatus.OK, "text/event-stream; charset=utf-8", new byte[0], null, start);
    }

    /** 503 with {@code Retry-After}: a limit is reached, or the node cannot serve yet; retrying later is safe. */
    public static HttpReply unavailable(String message, int retryAfterSeconds) {
        HttpReply e = error(HttpResponseStatus.SERVICE_UNAVAILABLE, message);
        return new HttpReply(e.status(), e.contentType(), e.body(), retryAfterSeconds);
    }

    public static HttpReply json(HttpResponseStatus status, Object body) {
        return new HttpReply(status, JSON, Json.encode(body));
    }

    public static HttpReply text(HttpResponseStatus status, String contentType, String body) {
        return new HttpReply(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A Prometheus scrape, as {@code GET /metrics} answers on the public and the admin port. */
    public static HttpReply prometheus(String scrape) {
        return text(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", scrape);
    }

    public static HttpReply noContent() {
        return new HttpReply(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
    }

    /** {@code {"error": {"status": 400, "message": "...", "details": [...]}}}: every error looks like this. */
    public static HttpReply error(HttpResponseStatus status, String message, List<String> details) {
        List<String> bounded = details;
        if (details != null && !(details instanceof Problems) && details.size() > Problems.KEPT + 1) {
            bounded = new Problems();
            bounded.addAll(details); // every answer's list bounded, whoever built it
        }
        return json(status, new Bodies.ErrorBody(new Bodies.Error(status.code(), message, bounded)));
    }

    public static HttpReply error(HttpResponseStatus status, String message) {
        return error(status, message, null);
    }
}
