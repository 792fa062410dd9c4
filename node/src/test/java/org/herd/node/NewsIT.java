package org.herd.node;

import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.SseClient;
import org.herd.node.fixtures.TestHerd;
import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.model.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.herd.node.fixtures.HttpClientSupport.get;
import static org.herd.node.fixtures.HttpClientSupport.send;

/**
 * News pushed to the clients it concerns (docs/http.md): an SSE subscriber of one client at one
 * node gets every news item posted at another node within its radius of the client's newest
 * position, not the far ones nor other places, resumes with Last-Event-ID, and follows the client
 * when it moves; {@code WATCHNEWS} gives the same on the line protocol.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NewsIT {
    private static final AtomicInteger IDS = new AtomicInteger();

    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford", "Ball")
            .bundledPlaces(p -> p.vicinity().endsWith(", CA, US"))
            .with("news.subscribers.max", "2");

    private TestHerd herd;

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    private int http(String node) {
        return herd.node(node).httpPort();
    }

    private void iamat(String client, String where) throws Exception {
        try (LineClient c = herd.client("Alford")) {
            assertThat(c.ask("IAMAT " + client + " " + where + " " + (1000 + IDS.incrementAndGet()) + ".5")).startsWith("AT Alford");
        }
    }

    /** Posts a place at Alford; returns its id. */
    private String post(String name, double lat, double lng, String type) throws Exception {
        String id = "news:it-" + IDS.incrementAndGet();
        var r = send("POST", http("Alford"), "/v1/places", String.format(java.util.Locale.ROOT,
                "{\"id\":\"%s\",\"name\":\"%s\",\"lat\":%.6f,\"lng\":%.6f,\"types\":[\"%s\"],\"prominence\":100}", id, name, lat, lng, type));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return id;
    }

    private static String placeId(SseClient.SseMessage m) throws Exception {
        JsonNode place = Json.MAPPER.readTree(m.data());
        return place.get("place_id").asText();
    }

    @Test
    void newsNearTheClientArrivesFarNewsAndOtherPlacesDoNotAndAResumeGetsTheRest() throws Exception {
        iamat("reader", "+34.068930-118.445127");
        String first;
        String near2;
        try (SseClient sse = new SseClient(http("Ball"), "/v1/locations/reader/news?radius=5", null)) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.contentType()).startsWith("text/event-stream");
            String near1 = post("Farmers market opens", 34.0700, -118.4450, "news");
            post("Far away news", 40.7128, -74.0060, "news");
            post("A cafe nearby", 34.0701, -118.4451, "cafe");
            near2 = post("Street closed", 34.0600, -118.4400, "news");
            List<SseClient.SseMessage> got = sse.next(2);
            assertThat(got).extracting(SseClient.SseMessage::event).containsExactly("news", "news");
            assertThat(placeId(got.get(0))).isEqualTo(near1);
            assertThat(placeId(got.get(1))).isEqualTo(near2);
            assertThat(Json.MAPPER.readTree(got.get(0).data()).get("name").asText()).isEqualTo("Farmers market opens");
            assertThat(got.get(0).id()).startsWith("n1.");
            first = got.get(0).id();
        }
        try (SseClient resumed = new SseClient(http("Alford"), "/v1/locations/reader/news?radius=5", first)) {
            assertThat(placeId(resumed.next(1).get(0))).isEqualTo(near2);
            // the client moves: news is judged against where it is when the node reads the item
            iamat("reader", "+40.712800-074.006000");
            String there = post("Subway news", 40.7130, -74.0055, "news");
            assertThat(placeId(resumed.next(1).get(0))).isEqualTo(there);
        }
    }

    @Test
    void watchNewsOnTheLineProtocol() throws Exception {
        iamat("liner", "+34.068930-118.445127");
        try (LineClient watcher = herd.client("Ball"); LineClient other = herd.client("Ball")) {
            watcher.send("WATCHNEWS liner 2\n");
            // WATCHNEWS has no reply of its own: a second connection's answer shows the node has taken it
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    get(herd.node("Ball").adminPort(), "/metrics").body().lines()
                            .anyMatch(l -> l.startsWith("herd_news_subscribers{") && !l.endsWith(" 0.0")));
            String id = post("Block party", 34.0690, -118.4450, "news");
            assertThat(watcher.readLine()).isEqualTo("NEWS liner " + id + " 34.069 -118.445 Block party");
            assertThat(other.ask("WATCHNEWS nobody-at-all 2")).isEqualTo("? WATCHNEWS nobody-at-all 2");
            assertThat(other.ask("WATCHNEWS liner 51")).isEqualTo("? WATCHNEWS liner 51");
        }
    }

    private double newsSubscribers(String node) throws Exception {
        return get(herd.node(node).adminPort(), "/metrics").body().lines()
                .filter(l -> l.startsWith("herd_news_subscribers{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void beyondNewsSubscribersMaxANodeAnswers503AndErrorBusy() throws Exception {
        iamat("crowd", "+34.068930-118.445127");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> newsSubscribers("Alford") == 0);
        try (SseClient one = new SseClient(http("Alford"), "/v1/locations/crowd/news", null);
             SseClient two = new SseClient(http("Alford"), "/v1/locations/crowd/news", null)) {
            assertThat(one.status()).isEqualTo(200);
            assertThat(two.status()).isEqualTo(200);
            try (SseClient three = new SseClient(http("Alford"), "/v1/locations/crowd/news", null)) {
                assertThat(three.status()).isEqualTo(503);
                assertThat(three.header("Retry-After")).isNotNull();
            }
            try (LineClient watcher = herd.client("Alford")) {
                watcher.send("WATCHNEWS crowd 2\n");
                assertThat(watcher.readLine()).isEqualTo("ERROR busy WATCHNEWS crowd");
            }
        }
    }

    @Test
    void badNewsRequestsAreAnsweredClearly() throws Exception {
        assertThat(get(http("Alford"), "/v1/locations/nobody-at-all/news").status()).isEqualTo(404);
        iamat("asker", "+34.068930-118.445127");
        var bad = get(http("Alford"), "/v1/locations/asker/news?radius=0&colour=red&from=later");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").get("details").toString())
                .contains("unknown parameter 'colour'", "radius must be", "from must be 'earliest'");
    }
}
