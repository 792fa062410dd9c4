package org.herd.node;

import org.herd.node.fixtures.HttpClientSupport;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.TestHerd;
import org.herd.node.ops.PlacesSeeder;

import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.geo.Geo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.herd.node.fixtures.HttpClientSupport.get;
import static org.herd.node.fixtures.HttpClientSupport.send;

/**
 * The HTTP API and the operators' API of three nodes on a real broker, through a real HTTP
 * client: every endpoint, its errors and status codes; places and news flowing to every node;
 * replay.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpIT {
    private static final List<String> NODES = List.of("Alford", "Ball", "Hamilton");
    private static final AtomicInteger IDS = new AtomicInteger();

    private TestHerd herd;

    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford", "Ball", "Hamilton")
            // California's places are enough here, and quick to load
            .bundledPlaces(p -> p.vicinity().endsWith(", CA, US"))
            .with("http.bodies.max.bytes", "3000000")
            .with("http.bodies.max.bytes.per.address", "3000000");

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    private int http(String node) {
        return herd.node(node).httpPort();
    }

    private int admin(String node) {
        return herd.node(node).adminPort();
    }

    private static String client() {
        return "http-client-" + IDS.incrementAndGet();
    }

    @Test
    void postALocationAtOneNodeAndReadItAtEveryNode() throws Exception {
        String c = client();
        var posted = send("POST", http("Alford"), "/v1/locations",
                "{\"client\":\"" + c + "\",\"location\":\"+34.068930-118.445127\",\"time\":\"1621464827.959498503\"}");
        assertThat(posted.status()).isEqualTo(200);
        JsonNode at = posted.json();
        assertThat(at.get("node").asText()).isEqualTo("Alford");
        assertThat(at.get("at").asText()).startsWith("AT Alford " + at.get("skew").asText() + " " + c
                + " +34.068930-118.445127 1621464827.959498503");
        for (String n : NODES) {
            var read = get(http(n), "/v1/locations/" + c);
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json().get("at").asText()).isEqualTo(at.get("at").asText());
            assertThat(read.json().get("lat").asDouble()).isEqualTo(34.06893);

            var nearby = get(http(n), "/v1/locations/" + c + "/nearby?radius=10&limit=3");
            assertThat(nearby.status()).isEqualTo(200);
            JsonNode body = nearby.json();
            assertThat(body.at("/location/at").asText()).isEqualTo(at.get("at").asText());
            assertThat(body.get("status").asText()).isEqualTo("OK");
            assertThat(body.get("results").size()).isBetween(1, 3);
            for (JsonNode r : body.get("results")) {
                assertThat(Geo.distanceMetres(34.06893, -118.445127, r.at("/geometry/location/lat").asDouble(),
                        r.at("/geometry/location/lng").asDouble())).isLessThanOrEqualTo(10_000);
            }
        }
    }

    @Test
    void aNumericTimeIsKeptExactly() throws Exception {
        String c = client();
        var posted = send("POST", http("Ball"), "/v1/locations",
                "{\"client\":\"" + c + "\",\"location\":\"+1-1\",\"time\":1621464827.959498503}");
        assertThat(posted.status()).isEqualTo(200);
        assertThat(posted.json().get("time").asText()).isEqualTo("1621464827.959498503");
    }

    @Test
    void locationErrorsAreJsonWithFittingStatusCodes() throws Exception {
        assertError(send("POST", http("Alford"), "/v1/locations", "{\"client\":\"x\",\"location\":\"+91+0\",\"time\":\"1\"}"), 400);
        assertError(send("POST", http("Alford"), "/v1/locations", "{\"client\":\"x y\",\"location\":\"+1+0\",\"time\":\"1\"}"), 400);
        assertError(send("POST", http("Alford"), "/v1/locations", "{\"client\":\"x\",\"location\":\"+1+0\"}"), 400);
        assertError(send("POST", http("Alford"), "/v1/locations", "{\"client\":\"x\",\"location\":\"+1+0\",\"time\":\"1\",\"extra\":1}"), 400);
        assertError(send("POST", http("Alford"), "/v1/locations", "not json"), 400);
        assertError(send("POST", http("Alford"), "/v1/locations", "[1,2]"), 400);
        assertError(get(http("Alford"), "/v1/locations/nobody-knows-me"), 404);
        assertError(get(http("Alford"), "/v1/locations/nobody-knows-me/nearby?radius=10&limit=5"), 404);
        String c = client();
        send("POST", http("Alford"), "/v1/locations", "{\"client\":\"" + c + "\",\"location\":\"+1+1\",\"time\":\"1\"}");
        assertError(get(http("Alford"), "/v1/locations/" + c + "/nearby?radius=51&limit=5"), 400);
        assertError(get(http("Alford"), "/v1/locations/" + c + "/nearby?radius=5&limit=21"), 400);
        assertError(get(http("Alford"), "/v1/locations"), 400); // who is near: it needs near or bbox
        assertError(send("PUT", http("Alford"), "/v1/locations", "{}"), 405);
        assertError(send("DELETE", http("Alford"), "/v1/locations/" + c, null), 405);
        assertError(get(http("Alford"), "/no/such/thing"), 404);
    }

    @Test
    void nearbySearchIsADropInForThePlacesApi() throws Exception {
        var ok = get(http("Hamilton"), "/maps/api/place/nearbysearch/json?location=34.068930,-118.445127&radius=30000&key=whatever");
        assertThat(ok.status()).isEqualTo(200);
        JsonNode body = ok.json();
        assertThat(body.get("status").asText()).isEqualTo("OK");
        assertThat(body.get("results").size()).isEqualTo(20);
        assertThat(body.get("html_attributions").get(0).asText()).contains("GeoNames");

        var byDistance = get(http("Hamilton"), "/maps/api/place/nearbysearch/json?location=34.0194,-118.4912&rankby=distance&keyword=santa");
        JsonNode first = byDistance.json().get("results").get(0);
        assertThat(first.get("name").asText()).isEqualTo("Santa Monica");

        var typed = get(http("Hamilton"), "/maps/api/place/nearbysearch/json?location=34.0689,-118.4451&radius=5000&type=restaurant");
        assertThat(typed.json().get("status").asText()).isEqualTo("ZERO_RESULTS");

        for (String bad : List.of("radius=100", "location=34,-118", "location=95,0&radius=10",
                "location=34,-118&radius=50001", "location=34,-118&radius=0", "location=34,-118&radius=abc",
                "location=34,-118&rankby=distance", "location=34,-118&rankby=distance&radius=10&type=x",
                "location=34,-118&radius=10&rankby=popularity", "location=here&radius=10")) {
            var r = get(http("Hamilton"), "/maps/api/place/nearbysearch/json?" + bad);
            assertThat(r.status()).as(bad).isEqualTo(200);
            assertThat(r.json().get("status").asText()).as(bad).isEqualTo("INVALID_REQUEST");
            assertThat(r.json().get("error_message").asText()).as(bad).isNotBlank();
        }
    }

    @Test
    void aNewsItemPostedAtOneNodeIsFoundAtEveryNodeAndADeletionDisappearsEverywhere() throws Exception {
        String id = "news:" + IDS.incrementAndGet();
        var posted = send("POST", http("Alford"), "/v1/places", "{\"id\":\"" + id + "\",\"name\":\"Farmers market opens\","
                + "\"lat\":34.0700,\"lng\":-118.4450,\"vicinity\":\"Westwood\",\"types\":[\"news\"],"
                + "\"prominence\":5000000,\"url\":\"https://example.org/market\"}");
        assertThat(posted.status()).isEqualTo(201);
        assertThat(posted.json().at("/places/0/place_id").asText()).isEqualTo(id);

        String c = client();
        try (LineClient line = herd.client("Hamilton")) {
            line.ask("IAMAT " + c + " +34.068930-118.445127 1621464827");
        }
        for (String n : NODES) {
            JsonNode results = get(http(n), "/maps/api/place/nearbysearch/json?location=34.0689,-118.4451&radius=1000&type=news").json();
            assertThat(results.at("/results/0/place_id").asText()).as(n).isEqualTo(id);
            assertThat(results.at("/results/0/url").asText()).isEqualTo("https://example.org/market");
            assertThat(get(http(n), "/v1/places/" + id).json().get("name").asText()).isEqualTo("Farmers market opens");
            try (LineClient line = herd.client(n)) {
                // the most prominent place near the client is now the news item
                assertThat(line.whatsat("WHATSAT " + c + " 2 1")).contains("\"place_id\" : \"" + id + "\"");
            }
        }

        var updated = send("PUT", http("Ball"), "/v1/places/" + id, "{\"name\":\"Farmers market moves\",\"lat\":40.0,\"lng\":-74.0,\"types\":[\"news\"]}");
        assertThat(updated.status()).isEqualTo(200);
        for (String n : NODES) {
            assertThat(get(http(n), "/v1/places/" + id).json().get("name").asText()).isEqualTo("Farmers market moves");
            assertThat(get(http(n), "/maps/api/place/nearbysearch/json?location=34.0689,-118.4451&radius=1000&type=news")
                    .json().get("status").asText()).isEqualTo("ZERO_RESULTS");
        }

        assertThat(send("DELETE", http("Hamilton"), "/v1/places/" + id, null).status()).isEqualTo(204);
        for (String n : NODES) {
            assertError(get(http(n), "/v1/places/" + id), 404);
            assertThat(get(http(n), "/maps/api/place/nearbysearch/json?location=40,-74&radius=1000&type=news")
                    .json().get("status").asText()).isEqualTo("ZERO_RESULTS");
        }
    }

    @Test
    void aBatchIsStoredWholeOrNotAtAll() throws Exception {
        String good = "{\"id\":\"batch:%d\",\"name\":\"Item %d\",\"lat\":10.5,\"lng\":20.5,\"types\":[\"news\"]}";
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            batch.append(i == 0 ? "" : ",").append(String.format(good, i, i));
        }
        var rejected = send("POST", http("Ball"), "/v1/places", batch + ",{\"id\":\"batch:bad\",\"name\":\"\",\"lat\":100,\"lng\":0}]");
        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.json().at("/error/details").size()).isEqualTo(2);
        assertThat(get(http("Ball"), "/maps/api/place/nearbysearch/json?location=10.5,20.5&radius=100&type=news")
                .json().get("status").asText()).isEqualTo("ZERO_RESULTS");

        var stored = send("POST", http("Ball"), "/v1/places", batch + "]");
        assertThat(stored.status()).isEqualTo(201);
        assertThat(stored.json().get("places").size()).isEqualTo(50);
        assertThat(get(http("Alford"), "/maps/api/place/nearbysearch/json?location=10.5,20.5&radius=100&type=news")
                .json().get("results").size()).isEqualTo(20);

        String tooMany = "[" + String.join(",", java.util.Collections.nCopies(1001, "{\"name\":\"x\",\"lat\":0,\"lng\":0}")) + "]";
        assertError(send("POST", http("Ball"), "/v1/places", tooMany), 400);
        assertThat(send("POST", http("Ball"), "/v1/places", "[" + "\"x\",".repeat(300_000) + "\"x\"]").status()).isEqualTo(413);
        assertError(send("POST", http("Ball"), "/v1/places", "{\"name\":\"x\",\"lat\":0,\"lng\":0,\"colour\":\"red\"}"), 400);
        assertError(send("POST", http("Ball"), "/v1/places", "{\"name\":\"x\",\"lat\":0,\"lng\":0,\"url\":\"ftp://x\"}"), 400);
        assertError(send("PUT", http("Ball"), "/v1/places/a%20b", "{\"name\":\"x\",\"lat\":0,\"lng\":0}"), 400);
        var generated = send("POST", http("Ball"), "/v1/places", "{\"name\":\"No id given\",\"lat\":1,\"lng\":2}");
        assertThat(generated.status()).isEqualTo(201);
        assertThat(generated.json().at("/places/0/place_id").asText()).startsWith("p:");
    }

    @Test
    void healthMetricsAndOpenApi() throws Exception {
        var health = get(http("Alford"), "/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        try (LineClient c = herd.client("Alford")) {
            c.ask("IAMAT " + client() + " +1+1 1");
            c.ask("NONSENSE");
        }
        get(http("Alford"), "/v1/locations/nobody-knows-me");
        String metrics = get(http("Alford"), "/metrics").body();
        assertThat(metrics)
                .contains("herd_requests_total{command=\"IAMAT\",node=\"Alford\",outcome=\"ok\",protocol=\"line\"}")
                .contains("herd_requests_total{command=\"invalid\",node=\"Alford\",outcome=\"invalid\",protocol=\"line\"}")
                .contains("command=\"GET /v1/locations/{client}\"")
                .contains("herd_reply_seconds_bucket")
                .contains("herd_consumer_lag{node=\"Alford\",topic=\"herd.locations\"}")
                .contains("herd_store_entries{node=\"Alford\",store=\"places\"}");
        var api = get(http("Alford"), "/openapi.yaml");
        assertThat(api.status()).isEqualTo(200);
        assertThat(api.body()).contains("openapi: 3").contains("/v1/locations").contains("/maps/api/place/nearbysearch/json");
    }

    @Test
    void operatorEndpointsAreOnlyOnTheAdminPort() throws Exception {
        for (String path : List.of("/admin/status", "/admin/digest", "/admin/replay")) {
            assertError(get(http("Alford"), path), 404);
            assertError(send("POST", http("Alford"), path, "{}"), 404);
        }
        var status = get(admin("Alford"), "/admin/status");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().get("node").asText()).isEqualTo("Alford");
        assertThat(status.json().get("ready").asBoolean()).isTrue();

        // a web page cannot start a replay: a browser's cross-site POST carries Origin
        String before = get(admin("Alford"), "/admin/replay").body();
        var fromAPage = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + admin("Alford") + "/admin/replay"))
                        .header("Origin", "http://evil.example").POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(fromAPage.statusCode()).isEqualTo(403);
        assertThat(fromAPage.body()).contains("not taken from web pages");
        assertThat(get(admin("Alford"), "/admin/replay").body()).isEqualTo(before);
    }

    /** The status line of a raw HTTP/1.1 request (java.net.http will not send a Host of our choosing). */
    private static String rawStatus(int port, String method, String path, String headers) throws Exception {
        return rawStatus(port, method, path, headers, "");
    }

    private static String rawStatus(int port, String method, String path, String headers, String body) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\n" + headers + "Content-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            return reply.lines().findFirst().orElse("");
        }
    }

    /**
     * A web page cannot read the admin port by pointing a name of its own at 127.0.0.1 (DNS
     * rebinding), and cannot write through the public port from another origin (issue 22).
     */
    @Test
    void theAdminPortAnswersLoopbackNamesOnlyAndWritesFromForeignPagesAreRefused() throws Exception {
        int adminPort = admin("Alford");
        assertThat(rawStatus(adminPort, "GET", "/admin/status", "Host: evil.example:" + adminPort + "\r\n")).contains(" 403 ");
        assertThat(rawStatus(adminPort, "GET", "/admin/digest", "Host: rebound.attacker.test\r\n")).contains(" 403 ");
        assertThat(rawStatus(adminPort, "GET", "/admin/status", "Host: localhost:" + adminPort + "\r\n")).contains(" 200 ");
        assertThat(rawStatus(adminPort, "GET", "/admin/status", "Host: 127.0.0.1:" + adminPort + "\r\n")).contains(" 200 ");
        assertThat(rawStatus(adminPort, "GET", "/admin/status", "Host: [::1]:" + adminPort + "\r\n")).contains(" 200 ");

        int port = http("Alford");
        String fence = "{\"circle\": {\"lat\": 1, \"lng\": 1, \"radius\": 10}}";
        String foreign = "origin-" + System.nanoTime();
        assertThat(rawStatus(port, "PUT", "/v1/fences/" + foreign, "Host: 127.0.0.1:" + port + "\r\nOrigin: http://evil.example\r\n", fence))
                .contains(" 403 ");
        assertThat(get(port, "/v1/fences/" + foreign).status()).isEqualTo(404); // nothing was written
        // the node's own pages, and clients that are not browsers, write as before
        String own = "origin-own-" + System.nanoTime();
        assertThat(rawStatus(port, "PUT", "/v1/fences/" + own, "Host: 127.0.0.1:" + port + "\r\nOrigin: http://127.0.0.1:" + port + "\r\n", fence))
                .contains(" 200 ");
        assertThat(send("DELETE", port, "/v1/fences/" + own, null).status()).isEqualTo(204);
        assertThat(rawStatus(port, "GET", "/health", "Host: anything.example\r\nOrigin: http://evil.example\r\n")).contains(" 200 ");
    }

    @Test
    void aReplayedNodeAndAHerdReplayedWholeAnswerAsBefore() throws Exception {
        List<String> clients = new ArrayList<>();
        try (LineClient c = herd.client("Alford")) {
            for (int i = 0; i < 30; i++) {
                String id = client();
                clients.add(id);
                c.ask(String.format("IAMAT %s %+.4f%+.4f %d", id, 34 + i * 0.01, -118.3 - i * 0.01, 100 + i));
                c.ask(String.format("IAMAT %s %+.4f%+.4f %d", id, 0.0, 0.0, 50 + i)); // stale: changes nothing
            }
        }
        Map<String, String> before = answers("Ball", clients);
        JsonNode digestBefore = get(admin("Ball"), "/admin/digest").json();

        replay("Ball");
        assertThat(sameState(get(admin("Ball"), "/admin/digest").json(), digestBefore)).isTrue();
        assertThat(answers("Ball", clients)).isEqualTo(before);

        for (String n : NODES) {
            assertThat(send("POST", admin(n), "/admin/replay", "").status()).isEqualTo(202);
        }
        for (String n : NODES) {
            awaitReplayDone(n);
        }
        JsonNode reference = get(admin("Alford"), "/admin/digest").json();
        for (String n : NODES) {
            assertThat(sameState(get(admin(n), "/admin/digest").json(), reference)).as(n).isTrue();
            assertThat(answers(n, clients)).isEqualTo(before);
        }
    }

    private void replay(String node) throws Exception {
        var started = send("POST", admin(node), "/admin/replay", "");
        assertThat(started.status()).isEqualTo(202);
        awaitReplayDone(node);
    }

    private void awaitReplayDone(String node) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode s = get(admin(node), "/admin/replay").json();
            assertThat(s.get("state").asText()).isEqualTo("done");
        });
    }

    private static boolean sameState(JsonNode a, JsonNode b) {
        return a.get("sha256").equals(b.get("sha256")) && a.get("clients").equals(b.get("clients"))
                && a.get("places").equals(b.get("places"));
    }

    private Map<String, String> answers(String node, List<String> clients) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (LineClient c = herd.client(node)) {
            for (String id : clients) {
                out.put(id, c.whatsat("WHATSAT " + id + " 20 5"));
            }
        }
        return out;
    }

    private static void assertError(HttpClientSupport.HttpAnswer r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().at("/error/status").asInt()).isEqualTo(status);
        assertThat(r.json().at("/error/message").asText()).isNotBlank();
    }

    @Test
    void aClientThatPipelinesMoreRequestsThanTheNodeHoldsIsAnsweredInOrderThenClosed() throws Exception {
        int sent = 40; // more than the 16 requests one connection may have waiting
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", herd.node("Alford").httpPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: herd\r\n\r\n".repeat(sent)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            long answered = all.lines().filter(l -> l.startsWith("HTTP/1.1 200")).count();
            // what it took is answered in order; then the node closes the connection (readAllBytes ends)
            assertThat(answered).isLessThan(sent);
            assertThat(all).doesNotContain("HTTP/1.1 5");
        }
    }

    @Test
    void aTooLongRequestLineOrHeaderGets431AndGarbageGets400AndTheConnectionCloses() throws Exception {
        String longLine = "GET /v1/locations?near=" + "1".repeat(20_000) + ",1&radius=1 HTTP/1.1\r\nHost: herd\r\n\r\n";
        String longHeader = "GET /health HTTP/1.1\r\nHost: herd\r\nX-Big: " + "x".repeat(20_000) + "\r\n\r\n";
        assertThat(raw(longLine)).startsWith("HTTP/1.1 431").contains("request line (at most 4096 bytes)");
        assertThat(raw(longHeader)).startsWith("HTTP/1.1 431");
        assertThat(raw("NOT HTTP AT ALL\r\n\r\n")).startsWith("HTTP/1.1 400").contains("malformed HTTP request");
        assertThat(get(http("Alford"), "/health").status()).isEqualTo(200);
    }

    @Test
    void unfinishedBodiesAreBoundedNodeWideAndTheNextOneGets503() throws Exception {
        String head = "POST /v1/places HTTP/1.1\r\nHost: herd\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n";
        byte[] most = ("[" + " ".repeat(899_999)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        List<java.net.Socket> holding = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) { // 2.7 MB of bodies never finished, of the node's 3 MB
                java.net.Socket s = new java.net.Socket("127.0.0.1", herd.node("Alford").httpPort());
                holding.add(s);
                s.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().write(most);
                s.getOutputStream().flush();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> unfinishedBodyBytes("Alford") >= 2_700_000);
            String refused = raw(head + new String(most, java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(refused).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 1")
                    .contains("too many unfinished request bodies (http.bodies.max.bytes)");
            assertThat(unfinishedBodyBytes("Alford")).isLessThanOrEqualTo(3_000_000);
            // the node goes on: health, a whole write, a read
            assertThat(get(http("Alford"), "/health").status()).isEqualTo(200);
            try (LineClient c = new LineClient(herd.node("Alford").tcpPort())) {
                assertThat(c.ask("IAMAT bodies-" + IDS.incrementAndGet() + " +34.068930-118.445127 1")).startsWith("AT Alford");
            }
        } finally {
            for (java.net.Socket s : holding) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> unfinishedBodyBytes("Alford") == 0);
    }

    private double unfinishedBodyBytes(String node) throws Exception {
        return get(herd.node(node).adminPort(), "/metrics").body().lines()
                .filter(l -> l.startsWith("herd_http_unfinished_body_bytes{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Sends {@code request} on a connection of its own and reads until the node closes it. */
    private String raw(String request) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", herd.node("Alford").httpPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketException e) {
                // closed with our unread bytes still in its buffer: a reset, after the answer it sent
            }
            return got.toString(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    static boolean logMentions(Path log, String text) throws java.io.IOException {
        return Files.exists(log) && Files.readString(log).contains(text);
    }
}
