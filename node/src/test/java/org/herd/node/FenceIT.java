package org.herd.node;

import org.herd.node.fixtures.HttpClientSupport;
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
import static org.awaitility.Awaitility.await;
import static org.herd.node.fixtures.HttpClientSupport.get;
import static org.herd.node.fixtures.HttpClientSupport.send;

/**
 * Fences on three nodes and a real broker (docs/fences.md): stored and read at every node,
 * validated whole; their events derived by the nodes' shared derivation and delivered over
 * Server-Sent Events and WATCH, resumable with Last-Event-ID.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FenceIT {
    private static final List<String> NODES = List.of("Alford", "Ball", "Hamilton");
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final String UCLA = "{\"circle\": {\"lat\": 34.0689, \"lng\": -118.4452, \"radius\": 1000}";

    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford", "Ball", "Hamilton")
            .bundledPlaces(p -> p.vicinity().endsWith(", CA, US"))
            .with("events.subscribers.max", "3")
            .with("fences.max", "8")
            .with("fences.max.bytes", "7000000")
            .with("fences.validation.queue.max", "1"); // three polygons of 9,999 positions (about 2 MB each) and some circles

    private TestHerd herd;

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    private int http(String node) {
        return herd.node(node).httpPort();
    }

    private double subscribers(String node) throws Exception {
        String metrics = get(herd.node(node).adminPort(), "/metrics").body();
        return metrics.lines().filter(l -> l.startsWith("herd_event_subscribers{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String id(String what) {
        return what + "-" + IDS.incrementAndGet();
    }

    @Test
    void aFenceIsStoredAtOneNodeReadAtEveryNodeListedInPagesAndDeleted() throws Exception {
        String f = id("campus");
        var put = send("PUT", http("Alford"), "/v1/fences/" + f, UCLA + ", \"detect\": [\"enter\", \"inside\"], \"match\": \"kiwi-*\", \"meta\": {\"name\": \"UCLA\"}}");
        assertThat(put.status()).isEqualTo(200);
        JsonNode stored = Json.MAPPER.readTree(put.body());
        assertThat(stored.get("id").asText()).isEqualTo(f);
        assertThat(stored.get("detect").toString()).isEqualTo("[\"enter\",\"inside\"]");
        for (String n : NODES) {
            var read = get(http(n), "/v1/fences/" + f);
            assertThat(read.status()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(read.body())).isEqualTo(stored);
        }
        String prefix = id("page");
        for (int i = 0; i < 3; i++) {
            assertThat(send("PUT", http("Ball"), "/v1/fences/" + prefix + "-" + i, UCLA + "}").status()).isEqualTo(200);
        }
        JsonNode page = Json.MAPPER.readTree(get(http("Hamilton"), "/v1/fences?after=" + prefix + "&limit=2").body());
        assertThat(page.get("fences").findValuesAsText("id")).containsExactly(prefix + "-0", prefix + "-1");
        assertThat(page.get("next").asText()).isEqualTo(prefix + "-1");
        JsonNode rest = Json.MAPPER.readTree(get(http("Hamilton"), "/v1/fences?after=" + prefix + "-1&limit=1").body());
        assertThat(rest.get("fences").findValuesAsText("id")).containsExactly(prefix + "-2");

        assertThat(send("DELETE", http("Hamilton"), "/v1/fences/" + f, null).status()).isEqualTo(204);
        for (String n : NODES) {
            assertThat(get(http(n), "/v1/fences/" + f).status()).isEqualTo(404);
        }
        assertThat(send("DELETE", http("Alford"), "/v1/fences/" + f, null).status()).isEqualTo(204); // idempotent
    }

    /**
     * With no fence, the derivation members hold their input (writes pay nothing for them); the
     * first fence defined finds every client's previous position kept all the same: a client that
     * was already inside when the fence came reports no enter on its next update inside, and an
     * exit when it leaves.
     */
    @Test
    void whileNoFenceExistsTheDerivationHoldsItsInputAndStillKnowsWhereClientsWere() throws Exception {
        JsonNode all = Json.MAPPER.readTree(get(http("Alford"), "/v1/fences?limit=1000").body());
        for (JsonNode f : all.get("fences")) {
            assertThat(send("DELETE", http("Alford"), "/v1/fences/" + f.get("id").asText(), null).status()).isEqualTo(204);
        }
        for (String n : NODES) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode d = Json.MAPPER.readTree(get(herd.node(n).adminPort(), "/admin/status").body()).path("derivation");
                return d.isMissingNode() || (d.path("fences").asInt() == 0 && d.path("inputHeld").asBoolean());
            });
        }
        assertThat(NODES.stream().filter(n -> herd.node(n).status().derivation() != null)).hasSize(2); // fences.derivation.members
        String client = id("early");
        String f = id("later");
        try (LineClient mover = new LineClient(herd.node("Ball").tcpPort())) {
            assertThat(mover.ask("IAMAT " + client + " +34.068930-118.445127 300")).startsWith("AT Ball"); // inside, no fence yet
            assertThat(send("PUT", http("Hamilton"), "/v1/fences/" + f, UCLA + "}").status()).isEqualTo(200);
            try (SseClient sse = new SseClient(http("Hamilton"), "/v1/fences/" + f + "/events", null)) {
                assertThat(sse.status()).isEqualTo(200);
                assertThat(mover.ask("IAMAT " + client + " +34.069000-118.445000 301")).startsWith("AT Ball"); // still inside
                assertThat(mover.ask("IAMAT " + client + " +35.000000-118.000000 302")).startsWith("AT Ball"); // out
                assertThat(mover.ask("IAMAT " + client + " +34.068930-118.445127 303")).startsWith("AT Ball"); // in again
                List<SseClient.SseMessage> got = sse.next(2);
                assertThat(got).extracting(SseClient.SseMessage::event).containsExactly("exit", "enter");
                assertThat(got.get(0).data()).contains("\"time\":\"302\"");
            }
        } finally {
            send("DELETE", http("Hamilton"), "/v1/fences/" + f, null); // the other tests' clients pass through UCLA
        }
    }

    /** A megabyte of bad parts gets the first problems and a count, not a listing of every one (issue 22). */
    @Test
    void aHugeBadFenceGetsItsFirstProblemsAndACountOfTheRest() throws Exception {
        StringBuilder rings = new StringBuilder();
        int parts = 0;
        while (rings.length() < 1_000_000) {
            rings.append(parts++ == 0 ? "" : ",").append("[[]]");
        }
        var bad = send("PUT", http("Ball"), "/v1/fences/" + id("huge"),
                "{\"polygon\": {\"type\": \"MultiPolygon\", \"coordinates\": [" + rings + "]}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().length()).isLessThan(16 * 1024);
        JsonNode details = Json.MAPPER.readTree(bad.body()).get("error").get("details");
        assertThat(details).hasSize(21);
        assertThat(details.get(20).asText()).matches("\\.\\.\\. and \\d+ more problems");
        assertThat(get(http("Ball"), "/health").status()).isEqualTo(200);
    }

    @Test
    void aBadFenceGetsEveryProblemInOneAnswer() throws Exception {
        var bad = send("PUT", http("Ball"), "/v1/fences/" + id("bad"),
                "{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[0,0],[2,2],[2,0],[0,2],[0,0]]]}, \"detect\": [], \"colour\": 1}");
        assertThat(bad.status()).isEqualTo(400);
        JsonNode details = Json.MAPPER.readTree(bad.body()).get("error").get("details");
        assertThat(details).hasSize(3);
        assertThat(details.toString()).contains("Self-intersection", "detect must be", "unknown field 'colour'");
        assertThat(send("PUT", http("Ball"), "/v1/fences/" + id("bad"), "[1]").status()).isEqualTo(400);
        assertThat(send("PUT", http("Ball"), "/v1/fences/bad%20id", UCLA + "}").status()).isEqualTo(400);
        assertThat(get(http("Ball"), "/v1/fences?limit=0").status()).isEqualTo(400);
        assertThat(get(http("Ball"), "/v1/fences/" + id("none") + "/events").status()).isEqualTo(404);
        assertThat(get(http("Ball"), "/health").status()).isEqualTo(200);
    }

    @Test
    void eventsReachSseAndWatchSubscribersAndResumeAfterTheirLastId() throws Exception {
        String f = id("ucla");
        String client = id("kiwi");
        assertThat(send("PUT", http("Alford"), "/v1/fences/" + f, UCLA + ", \"meta\": {\"n\": 1}}").status()).isEqualTo(200);
        try (SseClient sse = new SseClient(http("Ball"), "/v1/fences/" + f + "/events", null);
             LineClient watch = new LineClient(herd.node("Hamilton").tcpPort());
             LineClient mover = new LineClient(herd.node("Alford").tcpPort())) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.contentType()).startsWith("text/event-stream");
            watch.send("WATCH " + f + "\n");
            // WATCH has no reply line: it is in place when the node counts its subscriber
            await().atMost(Duration.ofSeconds(30)).until(() -> subscribers("Hamilton") == 1);
            assertThat(mover.ask("IAMAT " + client + " +34.068930-118.445127 100")).startsWith("AT Alford");
            assertThat(mover.ask("IAMAT " + client + " +35.000000-118.000000 101")).startsWith("AT Alford");
            assertThat(mover.ask("IAMAT " + client + " +34.069000-118.445000 102")).startsWith("AT Alford");
            List<SseClient.SseMessage> got = sse.next(3);
            assertThat(got).extracting(SseClient.SseMessage::event).containsExactly("enter", "exit", "enter");
            JsonNode first = Json.MAPPER.readTree(got.get(0).data());
            assertThat(first.get("client").asText()).isEqualTo(client);
            assertThat(first.get("time").asText()).isEqualTo("100");
            assertThat(first.get("node").asText()).isEqualTo("Alford");
            assertThat(first.get("meta").get("n").asInt()).isEqualTo(1);
            assertThat(first.get("previous").isNull()).isTrue();
            assertThat(Json.MAPPER.readTree(got.get(1).data()).get("previous").get("time").asText()).isEqualTo("100");
            assertThat(List.of(watch.readLine(), watch.readLine(), watch.readLine())).containsExactly(
                    "EVENT " + f + " enter " + client + " +34.068930-118.445127 100 Alford",
                    "EVENT " + f + " exit " + client + " +35.000000-118.000000 101 Alford",
                    "EVENT " + f + " enter " + client + " +34.069000-118.445000 102 Alford");

            // a subscriber that lost its connection after the first event resumes after it: the rest, once
            try (SseClient resumed = new SseClient(http("Hamilton"), "/v1/events?fence=" + f, got.get(0).id())) {
                List<SseClient.SseMessage> again = resumed.next(2);
                assertThat(again).extracting(SseClient.SseMessage::id).containsExactly(got.get(1).id(), got.get(2).id());
                assertThat(mover.ask("IAMAT " + client + " +36.000000-118.000000 103")).startsWith("AT Alford");
                assertThat(resumed.next(1)).extracting(SseClient.SseMessage::event).containsExactly("exit");
                assertThat(sse.next(1)).extracting(SseClient.SseMessage::event).containsExactly("exit");
            }
            try (SseClient all = new SseClient(http("Alford"), "/v1/events?from=earliest&client=" + client, null)) {
                List<SseClient.SseMessage> four = all.next(4);
                assertThat(four).as(four.toString()).extracting(SseClient.SseMessage::event).containsExactly("enter", "exit", "enter", "exit");
            }
        }
    }

    @Test
    void aNodeTakesEventsSubscribersMaxSubscribersAndTellsTheNextOneSo() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> subscribers("Alford") == 0);
        List<SseClient> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                SseClient s = new SseClient(http("Alford"), "/v1/events", null);
                assertThat(s.status()).isEqualTo(200);
                open.add(s);
            }
            var refused = get(http("Alford"), "/v1/events");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.body()).contains("events.subscribers.max");
            try (LineClient watch = new LineClient(herd.node("Alford").tcpPort())) {
                assertThat(watch.ask("WATCH *")).isEqualTo("ERROR busy WATCH *");
                assertThat(watch.readLine()).as("then the connection is closed").isNull();
            }
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(30)).until(() -> subscribers("Alford") == 2);
            SseClient again = new SseClient(http("Alford"), "/v1/events", null);
            open.add(again);
            assertThat(again.status()).isEqualTo(200);
        } finally {
            open.forEach(SseClient::close);
        }
    }

    @Test
    void aHerdHoldsFencesMaxFencesAndSaysSoToTheNextNewOne() throws Exception {
        String prefix = id("full");
        int held = Json.MAPPER.readTree(get(http("Alford"), "/v1/fences?limit=1000").body()).get("fences").size();
        List<String> mine = new java.util.ArrayList<>();
        try {
            for (int i = held; i < 8; i++) {
                String f = prefix + "-" + i;
                assertThat(send("PUT", http("Alford"), "/v1/fences/" + f, UCLA + "}").status()).isEqualTo(200);
                mine.add(f);
            }
            var refused = send("PUT", http("Ball"), "/v1/fences/" + prefix + "-new", UCLA + "}");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.body()).contains("fences.max");
            assertThat(get(http("Ball"), "/v1/fences/" + prefix + "-new").status()).isEqualTo(404);
            if (!mine.isEmpty()) {
                assertThat(send("PUT", http("Ball"), "/v1/fences/" + mine.get(0), UCLA + ", \"meta\": {\"v\": 2}}").status())
                        .as("replacing a fence at the limit").isEqualTo(200);
            }
        } finally {
            for (String f : mine) {
                send("DELETE", http("Alford"), "/v1/fences/" + f, null);
            }
        }
    }

    /** A polygon of {@code n} positions on a ring of 0.1 degree around UCLA (closed: n - 1 distinct). */
    private static String ring(int n) {
        StringBuilder b = new StringBuilder("{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[");
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * (i % (n - 1)) / (n - 1);
            b.append(i == 0 ? "" : ",").append('[').append(-118.4452 + 0.1 * Math.cos(a)).append(',')
                    .append(34.0689 + 0.1 * Math.sin(a)).append(']');
        }
        return b.append("]]}}").toString();
    }

    @Test
    void fencesAreBoundedInBytesTheirMembersCheckedAndTheirPagesCut() throws Exception {
        // members that could carry any JSON: only numbers are taken
        var badBbox = send("PUT", http("Alford"), "/v1/fences/" + id("bbox"),
                "{\"polygon\": {\"type\": \"Polygon\", \"bbox\": {\"any\": \"thing\"}, "
                        + "\"coordinates\": [[[0,0],[1,0],[1,1],[0,0]]]}}");
        assertThat(badBbox.status()).isEqualTo(400);
        assertThat(badBbox.body()).contains("polygon.bbox");
        var badHeight = send("PUT", http("Alford"), "/v1/fences/" + id("height"),
                "{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[0,0,\"" + "x".repeat(1000) + "\"],[1,0],[1,1],[0,0]]]}}");
        assertThat(badHeight.status()).isEqualTo(400);
        assertThat(badHeight.body()).contains("[lng, lat, height]) of numbers");
        String bbox = id("bbox");
        assertThat(send("PUT", http("Alford"), "/v1/fences/" + bbox, "{\"polygon\": {\"type\": \"Polygon\", "
                + "\"bbox\": [0, 0, 1, 1], \"coordinates\": [[[0,0],[1,0],[1,1],[0,0]]]}}").status()).isEqualTo(200);
        assertThat(send("DELETE", http("Alford"), "/v1/fences/" + bbox, null).status()).isEqualTo(204);

        String prefix = id("big");
        String big = ring(9_999);
        List<String> mine = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                var put = send("PUT", http("Alford"), "/v1/fences/" + prefix + "-" + i, big);
                assertThat(put.status()).as(put.body()).isEqualTo(200);
                mine.add(prefix + "-" + i);
            }
            assertThat(get(http("Ball"), "/v1/fences/" + prefix + "-2").status()).isEqualTo(200); // Ball has caught up
            var refused = send("PUT", http("Ball"), "/v1/fences/" + prefix + "-3", big);
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.body()).contains("fences.max.bytes");
            assertThat(get(http("Ball"), "/v1/fences/" + prefix + "-3").status()).isEqualTo(404);
            String small = id("small");
            assertThat(send("PUT", http("Ball"), "/v1/fences/" + small, UCLA + "}").status()).as("a circle still fits").isEqualTo(200);
            mine.add(small);

            // three polygons are about 1.3 MB of JSON: a page stops at 1 MiB and says where to go on
            var first = get(http("Hamilton"), "/v1/fences?after=" + prefix + "&limit=1000");
            assertThat(first.body().length()).isLessThan(1024 * 1024);
            JsonNode page = Json.MAPPER.readTree(first.body());
            assertThat(page.get("fences").findValuesAsText("id")).containsExactly(prefix + "-0", prefix + "-1");
            assertThat(page.get("next").asText()).isEqualTo(prefix + "-1");
            JsonNode rest = Json.MAPPER.readTree(get(http("Hamilton"), "/v1/fences?after=" + prefix + "-1&limit=1").body());
            assertThat(rest.get("fences").findValuesAsText("id")).containsExactly(prefix + "-2");
            assertThat(Json.MAPPER.readTree(rest.get("fences").get(0).get("polygon").toString()))
                    .isEqualTo(Json.MAPPER.readTree(big).get("polygon"));
        } finally {
            for (String f : mine) {
                send("DELETE", http("Alford"), "/v1/fences/" + f, null);
            }
        }
    }

    /**
     * Fences are validated off the event loops, one at a time, with a short queue: PUTs past it
     * get 503 at once, and the line protocol on the same node answers meanwhile.
     */
    @Test
    void fencePutsPastTheValidationQueueGet503AndTheLineProtocolGoesOn() throws Exception {
        String f = id("heavy");
        String big = ring(9_999);
        try (LineClient line = new LineClient(herd.node("Alford").tcpPort())) {
            List<HttpClientSupport.HttpAnswer> answers = HttpClientSupport.atOnce(12,
                    () -> send("PUT", http("Alford"), "/v1/fences/" + f, big),
                    () -> assertThat(line.ask("IAMAT " + f + "-client +34.068930-118.445127 1")).startsWith("AT Alford"));
            HttpClientSupport.Tally tally = HttpClientSupport.okOrRefused(answers,
                    "validating too many fences (fences.validation.queue.max)", r -> { });
            assertThat(tally.ok()).isGreaterThanOrEqualTo(1);
            assertThat(tally.refused()).as("twelve PUTs at once, one validated at a time and one waiting").isGreaterThanOrEqualTo(1);
        } finally {
            send("DELETE", http("Alford"), "/v1/fences/" + f, null);
        }
    }
}
