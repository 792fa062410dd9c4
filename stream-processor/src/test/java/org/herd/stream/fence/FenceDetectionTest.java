package org.herd.stream.fence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import org.herd.stream.store.SkippedRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The detection rules of the event derivation (docs/fences.md), through its real topology. */
class FenceDetectionTest {
    private static final Instant T0 = Instant.parse("2026-11-28T00:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> locations;
    private TestInputTopic<String, byte[]> fences;
    private TestOutputTopic<String, byte[]> events;
    private final FenceParser parser = new FenceParser(1000);
    private final SkippedRecords locationsSkipped = new SkippedRecords("herd.locations");
    private final FenceIndex index = new FenceIndex();

    @BeforeEach
    void start() {
        Properties props = FenceTopology.streamsConfig("fence-test", "unused:9092",
                System.getProperty("java.io.tmpdir") + "/fence-test-" + System.nanoTime(), Map.of());
        driver = new TopologyTestDriver(FenceTopology.build(new FenceTopology.Parts("herd.locations", "herd.fences",
                "herd.events", index, parser, locationsSkipped, new SkippedRecords("herd.fences"),
                new AppliedOffsets("herd.fences"), new DeferredCommits(FenceTopology.EVENT_COMMIT_GAP))), props, T0);
        locations = driver.createInputTopic("herd.locations", new StringSerializer(), new ByteArraySerializer(), T0,
                java.time.Duration.ofMillis(1));
        fences = driver.createInputTopic("herd.fences", new StringSerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic("herd.events", new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void fence(String id, String json) throws IOException {
        ObjectNode body = (ObjectNode) Json.MAPPER.readTree(json);
        body.put("id", id);
        assertThat(parser.parse(id, body)).isInstanceOf(FenceParser.Valid.class);
        fences.pipeInput(id, Json.encode(body), T0.minusSeconds(60));
    }

    private void circle(String id, double lat, double lng, double radius, String extra) throws IOException {
        fence(id, "{\"circle\": {\"lat\": " + lat + ", \"lng\": " + lng + ", \"radius\": " + radius + "}" + extra + "}");
    }

    private void at(String client, double lat, double lng, String time) {
        String loc = String.format("%+.6f%+.6f", lat, lng);
        Location l = new Location(client, loc, lat, lng, time, "Alford", "AT Alford +0.100000000 " + client + " " + loc + " " + time, "+0.100000000");
        locations.pipeInput(client, Json.encode(l));
    }

    private List<JsonNode> read() {
        return events.readValuesToList().stream().map(v -> {
            try {
                return Json.MAPPER.readTree(v);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private static List<String> kinds(List<JsonNode> events) {
        return events.stream().map(e -> e.get("fence").asText() + ":" + e.get("detect").asText()).toList();
    }

    @Test
    void aClientsFirstPositionInsideEnters() throws IOException {
        circle("ucla", 34.0689, -118.4452, 1000, "");
        at("kiwi", 34.0690, -118.4450, "100");
        List<JsonNode> out = read();
        assertThat(kinds(out)).containsExactly("ucla:enter");
        JsonNode e = out.get(0);
        assertThat(e.get("client").asText()).isEqualTo("kiwi");
        assertThat(e.get("time").asText()).isEqualTo("100");
        assertThat(e.get("node").asText()).isEqualTo("Alford");
        assertThat(e.get("previous").isNull()).isTrue();
        assertThat(e.get("source").get("topic").asText()).isEqualTo("herd.locations");
        assertThat(e.get("source").get("offset").asLong()).isZero();
    }

    @Test
    void movingOutExitsAndStayingOutsideSaysNothing() throws IOException {
        circle("ucla", 34.0689, -118.4452, 1000, "");
        at("kiwi", 34.0690, -118.4450, "100");
        at("kiwi", 34.0700, -118.4460, "101"); // still inside: no enter again
        at("kiwi", 35.0, -118.0, "102");       // out
        at("kiwi", 36.0, -118.0, "103");       // still out
        List<JsonNode> out = read();
        assertThat(kinds(out)).containsExactly("ucla:enter", "ucla:exit");
        assertThat(out.get(1).get("previous").get("time").asText()).isEqualTo("101");
        assertThat(out.get(1).get("source").get("offset").asLong()).isEqualTo(2);
    }

    @Test
    void insideIsReportedWithEveryUpdateInsideWhenAskedFor() throws IOException {
        circle("ucla", 34.0689, -118.4452, 1000, ", \"detect\": [\"inside\", \"enter\"]");
        at("kiwi", 34.0690, -118.4450, "100");
        at("kiwi", 34.0691, -118.4451, "101");
        at("kiwi", 35.0, -118.0, "102"); // exit is not asked for
        assertThat(kinds(read())).containsExactly("ucla:enter", "ucla:inside", "ucla:inside");
    }

    @Test
    void updatesThatAreNotNewerProduceNothing() throws IOException {
        circle("ucla", 34.0689, -118.4452, 1000, "");
        at("kiwi", 35.0, -118.0, "200");            // outside
        at("kiwi", 34.0690, -118.4450, "150");      // older, inside: loses
        at("kiwi", 34.0690, -118.4450, "200");      // a tie: the first one stays
        at("kiwi", 34.0690, -118.4450, "200.0000"); // the same time written otherwise: a tie too
        assertThat(read()).isEmpty();
        at("kiwi", 34.0690, -118.4450, "200.000000001");
        assertThat(kinds(read())).containsExactly("ucla:enter");
    }

    @Test
    void matchSelectsTheClientsAFenceWatches() throws IOException {
        circle("trucks", 34.0689, -118.4452, 1000, ", \"match\": \"truck-?\"");
        circle("all", 34.0689, -118.4452, 1000, "");
        at("truck-1", 34.0690, -118.4450, "1");
        at("truck-12", 34.0690, -118.4450, "1");
        at("car", 34.0690, -118.4450, "1");
        assertThat(kinds(read())).containsExactly("all:enter", "trucks:enter", "all:enter", "all:enter");
    }

    @Test
    void polygonsWithHolesContainTheirRingButNotTheHole() throws IOException {
        fence("ring", """
                {"polygon": {"type": "Polygon", "coordinates": [
                  [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
                  [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]},
                 "detect": ["enter", "exit"], "meta": {"zone": "donut"}}""");
        at("kiwi", 2, 2, "1");   // in the ring
        at("kiwi", 5, 5, "2");   // in the hole: out
        at("kiwi", 4, 5, "3");   // on the hole's edge: the boundary is inside
        List<JsonNode> out = read();
        assertThat(kinds(out)).containsExactly("ring:enter", "ring:exit", "ring:enter");
        assertThat(out.get(0).get("meta").get("zone").asText()).isEqualTo("donut");
    }

    @Test
    void aCircleAcrossTheAntimeridianHoldsPointsOnBothSides() throws IOException {
        circle("dateline", 0, 179.99, 5000, ", \"detect\": [\"inside\"]");
        at("east", 0, 179.999, "1");
        at("west", 0, -179.99, "1");  // 2.2 km from the centre, across the line
        at("far", 0, -179.5, "1");
        assertThat(events.readKeyValuesToList().stream().map(kv -> kv.key).toList()).containsExactly("east", "west");
    }

    @Test
    void aMultiPolygonSplitAtTheAntimeridianHoldsBothHalves() throws IOException {
        fence("fiji", """
                {"polygon": {"type": "MultiPolygon", "coordinates": [
                  [[[177, -19], [180, -19], [180, -16], [177, -16], [177, -19]]],
                  [[[-180, -19], [-178, -19], [-178, -16], [-180, -16], [-180, -19]]]]}}""");
        at("a", -17, 178, "1");
        at("b", -17, -179, "1");
        at("c", -17, -170, "1");
        assertThat(events.readKeyValuesToList().stream().map(kv -> kv.key).toList()).containsExactly("a", "b");
    }

    @Test
    void aCircleAroundAPoleHoldsEveryLongitudeNearIt() throws IOException {
        circle("north", 89.99, 0, 20_000, ", \"detect\": [\"inside\"]");
        at("a", 89.95, 179, "1");    // across the pole, 6.7 km from the centre
        at("b", 89.9, -90, "1");
        at("c", 89.0, 0, "1");       // 110 km away
        assertThat(events.readKeyValuesToList().stream().map(kv -> kv.key).toList()).containsExactly("a", "b");
    }

    @Test
    void aFenceStoredAfterAnUpdateDoesNotReportItAndJudgesThePreviousPositionAsItIsNow() throws IOException {
        at("kiwi", 34.0690, -118.4450, "1"); // record time T0
        ObjectNode body = (ObjectNode) Json.MAPPER.readTree(
                "{\"circle\": {\"lat\": 34.0689, \"lng\": -118.4452, \"radius\": 1000}, \"detect\": [\"enter\", \"inside\"]}");
        body.put("id", "late");
        fences.pipeInput("late", Json.encode(body), T0.plusSeconds(60));
        at("kiwi", 34.0691, -118.4451, "2"); // record time T0 + 1 ms: before the fence was stored
        assertThat(read()).isEmpty();
        locations.advanceTime(java.time.Duration.ofMinutes(2));
        // after it: the previous position was inside this fence too, so the client did not enter; it is inside
        at("kiwi", 34.0692, -118.4451, "3");
        assertThat(kinds(read())).containsExactly("late:inside");
        at("stranger", 34.0692, -118.4451, "3"); // no position before: enters
        assertThat(kinds(read())).containsExactly("late:enter", "late:inside");
    }

    @Test
    void deletingAFenceStopsItsEvents() throws IOException {
        circle("ucla", 34.0689, -118.4452, 1000, "");
        fences.pipeInput("ucla", (byte[]) null);
        at("kiwi", 34.0690, -118.4450, "1");
        assertThat(read()).isEmpty();
        assertThat(index.size()).isZero();
    }

    @Test
    void badLocationRecordsAreSkippedAndCounted() {
        locations.pipeInput("kiwi", "not json".getBytes());
        locations.pipeInput("a b", "{}".getBytes());
        assertThat(read()).isEmpty();
        assertThat(locationsSkipped.get(SkippedRecords.Reason.NOT_DECODABLE)).isEqualTo(1);
        assertThat(locationsSkipped.get(SkippedRecords.Reason.BAD_KEY)).isEqualTo(1);
    }

    @Test
    void eventsAreKeyedByClient() throws IOException {
        circle("ucla", 34.0689, -118.4452, 1000, "");
        at("kiwi", 34.0690, -118.4450, "1");
        assertThat(events.readKeyValue().key).isEqualTo("kiwi");
    }
}
