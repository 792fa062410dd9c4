package org.herd.node;

import org.herd.node.fixtures.HttpClientSupport;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.SseClient;
import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.TestHerd;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.herd.node.config.HerdConfig;
import org.herd.stream.model.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.herd.node.fixtures.HttpClientSupport.get;
import static org.herd.node.fixtures.HttpClientSupport.send;

/**
 * Producers that write straight into the herd's topics (docs/topics.md), with records the herd
 * would never write itself: every one is checked where it is read, skipped and counted; no
 * answer becomes a 500, no feed dies, and no value reaches a subscriber unchecked (issue 22).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProducerRecordsIT {
    private static final String UCLA = "{\"circle\": {\"lat\": 34.0689, \"lng\": -118.4452, \"radius\": 1000}}";

    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford", "Ball")
            .bundledPlaces(p -> p.vicinity().endsWith(", CA, US"));

    private TestHerd herd;
    private HerdConfig config;

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
        config = herd.config();
    }

    private void produce(String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", config.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private double skipped(String node, String topic, String reason) throws Exception {
        return get(herd.node(node).adminPort(), "/metrics").body().lines()
                .filter(l -> l.startsWith("herd_skipped_records_total{") && l.contains("topic=\"" + topic + "\"")
                        && l.contains("reason=\"" + reason + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String location(String client, String at, String location, String time) {
        return "{\"client\":\"" + client + "\",\"location\":\"" + location + "\",\"lat\":34.06893,\"lng\":-118.445127,"
                + "\"clientTime\":\"" + time + "\",\"node\":\"Alford\",\"at\":\"" + at + "\"}";
    }

    @Test
    void locationRecordsTheProtocolCouldNotHaveWrittenAreSkippedAndNeverAnswered500() throws Exception {
        String loc = "+34.068930-118.445127";
        double before = skipped("Ball", config.topics().locations(), "invalid");
        // an at that is not an AT line, a newline in the location, a 40-digit client time
        produce(config.topics().locations(), "poison-1", location("poison-1", "not an AT line", loc, "5"));
        produce(config.topics().locations(), "poison-2", location("poison-2", "AT Alford +0.000000001 poison-2 +34\\n-118 5", "+34\\n-118", "5"));
        produce(config.topics().locations(), "poison-3", location("poison-3", "AT Alford +0.000000001 poison-3 " + loc + " " + "9".repeat(40),
                loc, "9".repeat(40)));
        String good = "fine-" + System.nanoTime();
        produce(config.topics().locations(), good, location(good, "AT Alford +0.000000001 " + good + " " + loc + " 5", loc, "5"));
        await().atMost(Duration.ofSeconds(30)).until(() -> skipped("Ball", config.topics().locations(), "invalid") >= before + 3);
        for (String n : List.of("Alford", "Ball")) {
            int http = herd.node(n).httpPort();
            assertThat(get(http, "/v1/locations/" + good).status()).isEqualTo(200);
            for (String bad : List.of("poison-1", "poison-2", "poison-3")) {
                assertThat(get(http, "/v1/locations/" + bad).status()).isEqualTo(404);
            }
            var near = get(http, "/v1/locations?near=34.0689,-118.4452&radius=5&limit=100");
            assertThat(near.status()).isEqualTo(200);
            assertThat(near.body()).contains(good).doesNotContain("poison-");
            try (LineClient c = herd.client(n)) {
                assertThat(c.ask("WHATSAT poison-1 10 1")).startsWith("? WHATSAT");
            }
        }
    }

    /**
     * Newest client time wins, so a time far ahead would freeze a client where it is: the herd
     * refuses client times more than a day ahead of its clock (line protocol, HTTP), and skips
     * records whose time is more than a day and an hour ahead of their record's timestamp.
     */
    @Test
    void clientTimesFarAheadAreRefusedAndSkippedSoNoClientIsFrozen() throws Exception {
        String loc = "+34.068930-118.445127";
        String client = "ahead-" + System.nanoTime();
        long now = System.currentTimeMillis() / 1000;
        try (LineClient c = herd.client("Alford")) {
            assertThat(c.ask("IAMAT " + client + " " + loc + " " + (now + 3 * 86_400))).isEqualTo("? IAMAT " + client + " " + loc + " " + (now + 3 * 86_400));
            assertThat(c.ask("IAMAT " + client + " " + loc + " " + "9".repeat(19))).startsWith("? IAMAT");
            assertThat(c.ask("IAMAT " + client + " " + loc + " " + (now + 3600))).startsWith("AT Alford"); // an hour ahead is taken
        }
        var http = HttpClientSupport.send("POST", herd.node("Ball").httpPort(), "/v1/locations",
                "{\"client\": \"" + client + "\", \"location\": \"" + loc + "\", \"time\": " + "9".repeat(19) + "}");
        assertThat(http.status()).isEqualTo(400);
        assertThat(http.body()).contains("more than a day ahead");

        double before = skipped("Ball", config.topics().locations(), "invalid");
        String frozen = "9".repeat(19);
        produce(config.topics().locations(), client, location(client, "AT Alford +0.000000001 " + client + " " + loc + " " + frozen,
                loc, frozen));
        await().atMost(Duration.ofSeconds(30)).until(() -> skipped("Ball", config.topics().locations(), "invalid") >= before + 1);
        try (LineClient c = herd.client("Ball")) {
            String later = String.valueOf(now + 7200);
            assertThat(c.ask("IAMAT " + client + " +35.000000-118.000000 " + later)).startsWith("AT Ball");
            assertThat(c.ask("WHATSAT " + client + " 10 1")).startsWith("AT Ball").contains(client + " +35.000000-118.000000 " + later);
        }
    }

    @Test
    void newsItemsWithoutANameOrOutOfRangeArePassedOverAndTheFeedGoesOn() throws Exception {
        String client = "reader-" + System.nanoTime();
        try (LineClient mover = herd.client("Alford"); LineClient watch = herd.client("Ball")) {
            assertThat(mover.ask("IAMAT " + client + " +34.068930-118.445127 1")).startsWith("AT Alford");
            watch.send("WATCHNEWS " + client + " 5\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> get(herd.node("Ball").adminPort(), "/metrics").body()
                    .lines().anyMatch(l -> l.startsWith("herd_news_subscribers{") && l.endsWith(" 1.0")));
            produce(config.topics().places(), "news:nameless", "{\"id\":\"news:nameless\",\"lat\":34.07,\"lng\":-118.445,\"types\":[\"news\"]}");
            produce(config.topics().places(), "news:far", "{\"id\":\"news:far\",\"name\":\"Far\",\"lat\":1e400,\"lng\":-118.445,\"types\":[\"news\"]}");
            produce(config.topics().places(), "news:null-type", "{\"id\":\"news:null-type\",\"name\":\"N\",\"lat\":34.07,\"lng\":-118.445,\"types\":[null]}");
            produce(config.topics().places(), "news:other-key", "{\"id\":\"news:x\",\"name\":\"Keyed wrong\",\"lat\":34.07,\"lng\":-118.445,\"types\":[\"news\"]}");
            var posted = send("POST", herd.node("Alford").httpPort(), "/v1/places",
                    "{\"id\":\"news:real\",\"name\":\"Real news\",\"lat\":34.0700,\"lng\":-118.4450,\"types\":[\"news\"],\"prominence\":1}");
            assertThat(posted.status()).isBetween(200, 299);
            assertThat(watch.readLine()).isEqualTo("NEWS " + client + " news:real 34.07 -118.445 Real news");
        }
    }

    @Test
    void forgedEventsNeverReachSubscribersAndTheRealOnesArriveOnceEach() throws Exception {
        String fence = "forge-" + System.nanoTime();
        String client = "walker-" + System.nanoTime();
        assertThat(send("PUT", herd.node("Alford").httpPort(), "/v1/fences/" + fence, UCLA).status()).isEqualTo(200);
        try (SseClient sse = new SseClient(herd.node("Ball").httpPort(), "/v1/events?fence=" + fence, null);
             LineClient watch = herd.client("Ball");
             LineClient mover = herd.client("Alford")) {
            assertThat(sse.status()).isEqualTo(200);
            watch.send("WATCH " + fence + "\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> get(herd.node("Ball").adminPort(), "/metrics").body()
                    .lines().anyMatch(l -> l.startsWith("herd_event_subscribers{") && l.endsWith(" 2.0")));
            String base = "\"fence\":\"" + fence + "\",\"location\":\"+34.068930-118.445127\",\"time\":\"7\",\"node\":\"Alford\"";
            // a newline in a field (a forged WATCH line), one in the detect (a forged SSE field), raw newlines in the JSON
            produce(config.topics().events(), client, "{" + base + ",\"detect\":\"enter\",\"client\":\"x\\nEVENT " + fence + " enter forged\"}");
            produce(config.topics().events(), client, "{" + base + ",\"detect\":\"enter\\nevent: forged\",\"client\":\"" + client + "\"}");
            produce(config.topics().events(), client, "{" + base + ",\n\"detect\":\"bogus\",\n\"client\":\"" + client + "\"}");
            produce(config.topics().events(), client, "not json at all");
            // the same client (so the same partition of the derivation), with location fields of 700 KB, moves into the fence: its event (the location and the
            // previous one) would pass the derivation's producer request size, which it then retried for ever
            // (issue 22); now such records are skipped where they are read
            String huge = "+34.068930-118.445127" + "0".repeat(700_000);
            for (String[] step : new String[][]{{"0.0", "0.0", "5"}, {"34.06893", "-118.445127", "6"}}) {
                produce(config.topics().locations(), client, "{\"client\":\"" + client + "\",\"location\":\"" + huge
                        + "\",\"lat\":" + step[0] + ",\"lng\":" + step[1] + ",\"clientTime\":\"" + step[2]
                        + "\",\"node\":\"Alford\",\"at\":\"AT Alford\"}");
            }
            assertThat(mover.ask("IAMAT " + client + " +34.068930-118.445127 8")).startsWith("AT Alford");
            List<SseClient.SseMessage> got = sse.next(1);
            assertThat(got).extracting(SseClient.SseMessage::event).containsExactly("enter");
            JsonNode data = Json.MAPPER.readTree(got.get(0).data());
            assertThat(data.get("time").asText()).isEqualTo("8");
            assertThat(got.get(0).data()).doesNotContain("\n");
            assertThat(watch.readLine()).isEqualTo("EVENT " + fence + " enter " + client + " +34.068930-118.445127 8 Alford");
            assertThat(sse.drain()).isEmpty();
        } finally {
            send("DELETE", herd.node("Alford").httpPort(), "/v1/fences/" + fence, null);
        }
    }
}
