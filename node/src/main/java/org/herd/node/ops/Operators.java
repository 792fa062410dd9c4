package org.herd.node.ops;

import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;

import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.model.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The operators' commands behind {@code scripts/herd replay} and {@code scripts/herd status}: they talk to each node's admin port. */
public final class Operators {
    private final HerdConfig config;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public Operators(HerdConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    private JsonNode call(String node, String method, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + adminHost() + ":" + config.adminPort(node) + path);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.MAPPER.readTree(res.body());
        if (res.statusCode() >= 400 && res.statusCode() != 409) {
            throw new IOException(node + ": " + res.statusCode() + " " + body);
        }
        return body;
    }

    /**
     * {@code GET path} on a node's admin port, without blocking: the body as JSON, or fails with
     * a {@link ConnectException} (the node is down) or an IOException naming the status.
     */
    public CompletableFuture<JsonNode> getAsync(String node, String path, Duration timeout) {
        URI uri = URI.create("http://" + adminHost() + ":" + config.adminPort(node) + path);
        return http.sendAsync(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(res -> {
                    try {
                        JsonNode body = Json.MAPPER.readTree(res.body());
                        if (res.statusCode() >= 400) {
                            throw new CompletionException(new IOException(res.statusCode() + " " + body.at("/error/message").asText()));
                        }
                        return body;
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                });
    }

    private String adminHost() {
        String h = config.get(Settings.HERD_ADMIN_BIND_HOST);
        return h.equals("0.0.0.0") ? "127.0.0.1" : h;
    }

    /** Starts a replay on each node, shows progress every second, and returns once all have caught up. */
    public int replay(List<String> nodes) throws IOException, InterruptedException {
        for (String n : nodes) {
            JsonNode s = call(n, "POST", "/admin/replay");
            out.printf("%s: replay %s%n", n, s.get("state").asText().equals("running") ? "started" : s.get("state").asText());
        }
        Map<String, JsonNode> last = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        while (true) {
            boolean running = false;
            StringBuilder line = new StringBuilder(String.format("%6.1fs", (System.nanoTime() - t0) / 1e9));
            for (String n : nodes) {
                JsonNode s = call(n, "GET", "/admin/replay");
                last.put(n, s);
                running |= s.get("state").asText().equals("running");
                line.append(String.format("  %s %s %5.1f%% %,d/s", n, s.get("state").asText(),
                        s.get("percent").asDouble(), s.get("recordsPerSecond").asLong()));
            }
            out.println(line);
            if (!running) {
                break;
            }
            Thread.sleep(1000); // a progress display's refresh interval
        }
        int failures = 0;
        for (var e : last.entrySet()) {
            JsonNode s = e.getValue();
            long applied = 0;
            for (JsonNode v : s.get("applied")) {
                applied += v.asLong();
            }
            double seconds = (s.get("finishedAtMillis").asLong() - s.get("startedAtMillis").asLong()) / 1000.0;
            if (s.get("state").asText().equals("done")) {
                out.printf("%s: caught up: %,d records replayed in %.1f s (%,d records/s); serving from the rebuilt state%n",
                        e.getKey(), applied, seconds, s.get("recordsPerSecond").asLong());
            } else {
                failures++;
                out.printf("%s: replay %s: %s%n", e.getKey(), s.get("state").asText(), s.path("error").asText());
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /** One line per node: counts, digest, applied offsets; and whether all digests agree. */
    public int digests(List<String> nodes) throws InterruptedException {
        out.printf("%-9s %10s %8s  %-16s %s%n", "NODE", "CLIENTS", "PLACES", "DIGEST", "APPLIED (locations / places)");
        String first = null;
        boolean agree = true;
        for (String n : nodes) {
            try {
                JsonNode d = call(n, "GET", "/admin/digest");
                String sha = d.get("sha256").asText();
                long loc = 0;
                long pl = 0;
                for (JsonNode v : d.at("/applied/" + config.topics().locations())) {
                    loc += v.asLong();
                }
                for (JsonNode v : d.at("/applied/" + config.topics().places())) {
                    pl += v.asLong();
                }
                out.printf("%-9s %10d %8d  %-16s %d / %d%n", n, d.get("clients").asLong(), d.get("places").asLong(),
                        sha.substring(0, 16), loc, pl);
                if (first == null) {
                    first = sha;
                } else if (!first.equals(sha)) {
                    agree = false;
                }
            } catch (ConnectException e) {
                out.printf("%-9s %10s%n", n, "down");
            } catch (IOException e) {
                out.printf("%-9s %10s %s%n", n, "error", e.getMessage());
            }
        }
        out.println(first == null ? "no node answered" : agree ? "digests agree" : "digests DIFFER (a node may still be catching up)");
        return 0;
    }
}
