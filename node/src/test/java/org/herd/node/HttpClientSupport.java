package org.herd.node;

import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.model.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client for the tests: JSON in, status and JSON out. */
final class HttpClientSupport {
    record HttpAnswer(int status, String body) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpClientSupport() {
    }

    static HttpAnswer send(String method, int port, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new HttpAnswer(r.statusCode(), r.body());
    }

    static HttpAnswer get(int port, String path) throws IOException, InterruptedException {
        return send("GET", port, path, null);
    }

    /** The client ids of a who-is-near answer ({@code GET /v1/locations?near=..}), in its order. */
    static java.util.List<String> clientIds(com.fasterxml.jackson.databind.JsonNode answer) {
        java.util.List<String> out = new java.util.ArrayList<>();
        answer.get("clients").forEach(c -> out.add(c.get("client").asText()));
        return out;
    }
}
