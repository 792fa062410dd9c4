package org.herd.node;

import org.herd.node.fixtures.HttpClientSupport;
import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.TestHerd;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.herd.node.fixtures.HttpClientSupport.clientIds;
import static org.herd.node.fixtures.HttpClientSupport.get;
import static org.herd.node.fixtures.HttpClientSupport.send;

/**
 * Who is near a point, and who is in a box (docs/http.md, {@code GET /v1/locations}): on two
 * nodes and a real broker, each update acknowledged at one node is in the other's answer at once
 * (the freshness of WHATSAT), the newest client time wins, and a replay answers the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientsNearIT {
    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford", "Ball")
            .bundledPlaces(p -> p.vicinity().endsWith(", CA, US"))
            .with("clients.query.queue.max", "2");

    private TestHerd herd;

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    private int http(String node) {
        return herd.node(node).httpPort();
    }

    private void iamat(String node, String client, String where, String time) throws Exception {
        try (LineClient c = herd.client(node)) {
            assertThat(c.ask("IAMAT " + client + " " + where + " " + time)).startsWith("AT " + node);
        }
    }


    @Test
    void clientsNearAPointNearestFirstWithDistancesSeenAtOnceByAnotherNode() throws Exception {
        iamat("Alford", "near-far", "+51.520000-0.100000", "1000.5");     // ~2.2 km from the point
        iamat("Alford", "near-close", "+51.501000-0.100000", "1000.5");   // ~110 m
        iamat("Alford", "near-middle", "+51.510000-0.100000", "1000.5");  // ~1.1 km
        iamat("Alford", "near-outside", "+51.600000-0.100000", "1000.5"); // ~11 km
        JsonNode answer = get(http("Ball"), "/v1/locations?near=51.5,-0.1&radius=5").json();
        assertThat(clientIds(answer)).containsExactly("near-close", "near-middle", "near-far");
        assertThat(answer.get("count").asInt()).isEqualTo(3);
        JsonNode first = answer.get("clients").get(0);
        assertThat(first.get("distance").asDouble()).isBetween(100.0, 120.0);
        assertThat(first.get("node").asText()).isEqualTo("Alford");
        assertThat(first.get("location").asText()).isEqualTo("+51.501000-0.100000");
        assertThat(first.get("time").asText()).isEqualTo("1000.5");

        assertThat(clientIds(get(http("Ball"), "/v1/locations?near=51.5,-0.1&radius=5&limit=2").json()))
                .containsExactly("near-close", "near-middle");
        assertThat(clientIds(get(http("Alford"), "/v1/locations?near=51.5,-0.1&radius=20").json()))
                .containsExactly("near-close", "near-middle", "near-far", "near-outside");
    }

    @Test
    void aBoxAcrossTheAntimeridianNearestItsCentreFirst() throws Exception {
        iamat("Ball", "box-east", "-10.000000+179.500000", "2000.5");
        iamat("Ball", "box-west", "-10.000000-179.900000", "2000.5");
        iamat("Ball", "box-away", "-10.000000+170.000000", "2000.5");
        JsonNode answer = get(http("Alford"), "/v1/locations?bbox=-11,179,-9,-179").json();
        assertThat(clientIds(answer)).containsExactly("box-west", "box-east");
        assertThat(answer.get("clients").get(0).has("distance")).isFalse();
    }

    @Test
    void anOlderUpdateDoesNotMoveAClientAndAReplayAnswersTheSame() throws Exception {
        iamat("Alford", "stale-kiwi", "+35.000000+139.000000", "3000.5");
        iamat("Ball", "stale-kiwi", "+36.000000+140.000000", "2999.5"); // older client time: loses
        assertThat(clientIds(get(http("Alford"), "/v1/locations?near=35,139&radius=1").json())).containsExactly("stale-kiwi");
        assertThat(clientIds(get(http("Alford"), "/v1/locations?near=36,140&radius=1").json())).isEmpty();
        iamat("Ball", "stale-kiwi", "+36.000000+140.000000", "3001.5");
        assertThat(clientIds(get(http("Alford"), "/v1/locations?near=35,139&radius=1").json())).isEmpty();
        String before = get(http("Ball"), "/v1/locations?bbox=30,130,40,150").body();
        assertThat(before).contains("stale-kiwi");

        assertThat(send("POST", herd.node("Ball").adminPort(), "/admin/replay", "").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(get(herd.node("Ball").adminPort(), "/admin/replay").json().get("state").asText()).isEqualTo("done"));
        assertThat(get(http("Ball"), "/v1/locations?bbox=30,130,40,150").body()).isEqualTo(before);
    }

    @Test
    void badQueriesGet400ListingEveryProblem() throws Exception {
        var both = get(http("Alford"), "/v1/locations?near=1,2&bbox=1,2,3,4&limit=0&colour=red");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("error").get("details").toString())
                .contains("unknown parameter 'colour'", "limit must be a whole number from 1 to 1000", "exactly one of near");
        var tooFar = get(http("Alford"), "/v1/locations?near=91,0&radius=501");
        assertThat(tooFar.status()).isEqualTo(400);
        assertThat(tooFar.json().get("error").get("details").toString()).contains("latitudes within ±90", "at most 500");
        assertThat(get(http("Alford"), "/v1/locations?near=1,2").json().get("error").get("details").toString())
                .contains("radius=<km> is required");
        assertThat(get(http("Alford"), "/v1/locations?bbox=10,0,5,1").json().get("error").get("details").toString())
                .contains("south must not be north of north");
        assertThat(get(http("Alford"), "/v1/locations?bbox=1,2,3").status()).isEqualTo(400);
        assertThat(get(http("Alford"), "/v1/locations").status()).isEqualTo(400);
        assertThat(get(http("Alford"), "/health").status()).isEqualTo(200);
    }

    /**
     * Who-is-near queries run on a thread of their own, with a short queue: past it a query gets
     * 503 at once, and the node's other reads and writes go on meanwhile.
     */
    @Test
    void queriesPastTheQueueGet503AndTheNodeGoesOn() throws Exception {
        iamat("Alford", "queue-1", "+40.000000+40.000000", "3000.5");
        try (LineClient line = herd.client("Alford")) {
            List<HttpClientSupport.HttpAnswer> answers = HttpClientSupport.atOnce(16,
                    () -> get(http("Alford"), "/v1/locations?bbox=-90,-180,90,180&limit=1000"),
                    () -> assertThat(line.ask("IAMAT queue-2 +41.000000+41.000000 3000.5")).startsWith("AT Alford"));
            HttpClientSupport.Tally tally = HttpClientSupport.okOrRefused(answers,
                    "who-is-near queries running or waiting (clients.query.queue.max)",
                    r -> assertThat(clientIds(r.json())).contains("queue-1"));
            assertThat(tally.ok()).isGreaterThanOrEqualTo(1);
            assertThat(tally.refused()).as("sixteen queries at once, two slots").isGreaterThanOrEqualTo(1);
        }
        assertThat(clientIds(get(http("Alford"), "/v1/locations?near=41,41&radius=5").json())).containsExactly("queue-2");
    }
}
