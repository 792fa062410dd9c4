package org.herd.node;

import org.herd.node.fixtures.HttpClientSupport;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.TestHerd;
import org.herd.node.fixtures.TestKafka;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.herd.stream.model.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The optional Google Places upstream, against a local HTTP server that replays a stored Nearby
 * Search response (src/test/resources/google: a fixture written in Google's documented response
 * format, with its extra fields; not captured from Google, since this environment has no network) (or fails in the ways Google can), with a real node on a real broker.
 */
class GoogleUpstreamIT {
    private static final String KEY = "test-key-SECRET-1234";

    @TempDir
    Path dir;
    private TestKafka kafka;
    private HttpServer google;
    private volatile String mode = "recorded";
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        kafka = TestKafka.start();
        byte[] recorded;
        try (InputStream in = getClass().getResourceAsStream("/google/nearbysearch-westwood.json")) {
            recorded = in.readAllBytes();
        }
        google = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        google.setExecutor(Executors.newCachedThreadPool());
        google.createContext("/maps/api/place/nearbysearch/json", ex -> {
            queries.add(ex.getRequestURI().getRawQuery());
            byte[] body = switch (mode) {
                case "recorded" -> recorded;
                case "denied" -> "{\"html_attributions\":[],\"results\":[],\"status\":\"REQUEST_DENIED\",\"error_message\":\"The provided API key is invalid.\"}".getBytes(StandardCharsets.UTF_8);
                case "garbage" -> "<html>not json</html>".getBytes(StandardCharsets.UTF_8);
                default -> new byte[0];
            };
            if (mode.equals("slow")) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.sendResponseHeaders(mode.equals("error500") ? 500 : 200, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        google.start();
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        google.stop(0);
        kafka.close();
    }

    private TestHerd herd(String fallback) {
        return new TestHerd(kafka.bootstrapServers(), dir, Map.of(
                "places.google.api.key", KEY,
                "places.google.url", "http://127.0.0.1:" + google.getAddress().getPort() + "/maps/api/place/nearbysearch/json",
                "places.google.timeout.ms", "1000",
                "places.google.fallback", fallback));
    }

    /** The local index holds one place near the client, so a fallback answer is recognisable. */
    private static void seedOneLocalPlace(TestHerd herd) {
        herd.seedPlaces(List.of(new org.herd.stream.model.Place("gn:local", "Local index place", 34.07, -118.44, "",
                List.of("locality"), 1, null)));
    }

    private static JsonNode whatsatJson(String reply) throws Exception {
        return Json.MAPPER.readTree(reply.substring(reply.indexOf('\n') + 1));
    }

    @Test
    void whatsatAsksGoogleAndKeepsOnlyResultsWithinTheRadiusAndLimit() throws Exception {
        try (TestHerd herd = herd("local").start("Alford")) {
            seedOneLocalPlace(herd);
            try (LineClient c = herd.client("Alford")) {
                c.ask("IAMAT kiwi +34.068930-118.445127 1621464827.959498503");
                JsonNode two = whatsatJson(c.whatsat("WHATSAT kiwi 10 2"));
                assertThat(two.get("status").asText()).isEqualTo("OK");
                assertThat(two.get("results")).extracting(r -> r.get("name").asText())
                        .containsExactly("Westwood Village Memorial Park", "Pauley Pavilion");
                assertThat(two.at("/results/0/rating").asDouble()).isEqualTo(4.6); // Google's fields pass through

                JsonNode all = whatsatJson(c.whatsat("WHATSAT kiwi 10 20"));
                assertThat(all.get("results")).hasSize(3); // the Hollywood Sign is 14 km away
            }
            assertThat(queries.get(0)).contains("location=34.06893,-118.445127").contains("radius=10000")
                    .contains("key=" + KEY);

            // as a Places client would, this one sends its own key along: the traffic log must mask it
            var http = HttpClientSupport.get(herd.node("Alford").httpPort(),
                    "/maps/api/place/nearbysearch/json?location=34.06893,-118.445127&radius=5000&keyword=pavilion&key=" + KEY);
            assertThat(http.json().at("/results/0/place_id").asText()).startsWith("ChIJrecorded");
            assertThat(queries.get(queries.size() - 1)).contains("keyword=pavilion").contains("radius=5000");

            // the log is written by a thread of its own: wait until it has this request
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(herd.logFile("Alford")).contains("keyword=pavilion"));
            assertThat(Files.readString(herd.logFile("Alford"))).contains("&key=******").doesNotContain(KEY);
        }
    }

    @Test
    void whenGoogleFailsTheLocalIndexAnswers() throws Exception {
        // what the node logs besides its traffic (in a node's own process this goes to its log file)
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try (TestHerd herd = herd("local").start("Alford")) {
            seedOneLocalPlace(herd);
            try (LineClient c = herd.client("Alford")) {
                c.ask("IAMAT kiwi +34.068930-118.445127 1621464827.959498503");
                for (String failure : List.of("error500", "denied", "garbage", "slow")) {
                    mode = failure;
                    long t0 = System.nanoTime();
                    JsonNode answer = whatsatJson(c.whatsat("WHATSAT kiwi 10 5"));
                    assertThat(answer.at("/results/0/name").asText()).as(failure).isEqualTo("Local index place");
                    assertThat((System.nanoTime() - t0) / 1e9).as(failure).isLessThan(5);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(herd.logFile("Alford")).contains(" out AT Alford "));
            assertThat(Files.readString(herd.logFile("Alford"))).doesNotContain(KEY);
        } finally {
            root.detachAppender(logged);
        }
        List<String> google = logged.list.stream().filter(e -> e.getLoggerName().endsWith("GooglePlaces"))
                .map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()))
                .toList();
        assertThat(google).as("the failures were logged").isNotEmpty();
        assertThat(google).noneMatch(line -> line.contains(KEY));
    }

    @Test
    void withoutFallbackAFailureIsAnUnknownErrorResponse() throws Exception {
        mode = "error500";
        try (TestHerd herd = herd("error").start("Alford")) {
            var r = HttpClientSupport.get(herd.node("Alford").httpPort(),
                    "/maps/api/place/nearbysearch/json?location=34.06893,-118.445127&radius=5000");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("status").asText()).isEqualTo("UNKNOWN_ERROR");
            assertThat(r.json().get("error_message").asText()).doesNotContain(KEY);
        }
    }
}
