package org.herd.stream.topology;

import org.herd.stream.geo.ClientIndex;
import org.herd.stream.geo.PlacesIndex;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import org.herd.stream.model.Place;
import org.herd.stream.model.TopicNames;
import org.herd.stream.model.Topics;
import org.herd.stream.store.SkippedRecords;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class HerdTopologyTest {
    private StoreState state;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> locations;
    private TestInputTopic<String, byte[]> places;

    @BeforeEach
    void start() {
        state = StoreState.create(TopicNames.DEFAULT);
        driver = TestDrivers.herd("herd-topology-test", state);
        locations = driver.createInputTopic(Topics.LOCATIONS, new StringSerializer(), new ByteArraySerializer());
        places = driver.createInputTopic(Topics.PLACES, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static Location at(String client, String time, String node, double lat, double lng) {
        String loc = String.format("%+f%+f", lat, lng);
        return new Location(client, loc, lat, lng, time, node,
                "AT " + node + " +0.000000001 " + client + " " + loc + " " + time, "+0.000000001");
    }

    private void publish(Location l) {
        locations.pipeInput(l.client(), Json.encode(l));
    }

    private Location stored(String client) {
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(Topics.LOCATION_STORE);
        return Json.decodeOrNull(store.get(client), Location.class);
    }

    @Test
    void theClientIndexFollowsTheNewestClientTimeNotTheArrivalOrder() {
        Location newer = at("kiwi", "1621464827.959498504", "Welsh", 35.0, -119.0);
        Location older = at("kiwi", "1621464827.959498503", "Alford", 34.0, -118.0);
        Location tie = at("kiwi", "1621464827.959498504", "Ball", 36.0, -120.0);
        publish(newer);
        publish(older);
        publish(tie);
        assertThat(state.clientIndex().near(35.0, -119.0, 1000, 10).hits()).extracting(ClientIndex.Hit::client).containsExactly("kiwi");
        assertThat(state.clientIndex().near(34.0, -118.0, 1000, 10).hits()).isEmpty();
        assertThat(state.clientIndex().near(36.0, -120.0, 1000, 10).hits()).isEmpty();
        assertThat(state.clientIndex().size()).isEqualTo(1);
    }

    @Test
    void newestClientTimeWinsWhateverTheArrivalOrder() {
        Location older = at("kiwi", "1621464827.959498503", "Alford", 34.0, -118.0);
        Location newer = at("kiwi", "1621464827.959498504", "Welsh", 35.0, -119.0);
        publish(newer);
        publish(older);
        assertThat(stored("kiwi")).isEqualTo(newer);
    }

    @Test
    void aNewerUpdateReplacesTheStoredOne() {
        Location older = at("kiwi", "100", "Alford", 34.0, -118.0);
        Location newer = at("kiwi", "100.5", "Ball", 35.0, -119.0);
        publish(older);
        publish(newer);
        assertThat(stored("kiwi")).isEqualTo(newer);
    }

    @Test
    void equalClientTimesKeepTheFirstInTopicOrder() {
        Location first = at("kiwi", "100.000", "Hamilton", 1, 1);
        Location second = at("kiwi", "100", "Holiday", 2, 2);
        publish(first);
        publish(second);
        assertThat(stored("kiwi")).isEqualTo(first);
    }

    @Test
    void staleAndInvalidRecordsChangeNothingButStillCountAsApplied() {
        Location current = at("kiwi", "200", "Alford", 1, 1);
        publish(current);
        publish(at("kiwi", "199.999999999", "Ball", 2, 2));
        locations.pipeInput("kiwi", "not json".getBytes(StandardCharsets.UTF_8));
        locations.pipeInput("kiwi", Json.encode(at("other", "300", "Ball", 2, 2)));
        locations.pipeInput("kiwi", (byte[]) null);
        assertThat(stored("kiwi")).isEqualTo(current);
        assertThat(stored("other")).isNull();
        assertThat(state.locationsApplied().position(0)).isEqualTo(5);
    }

    @Test
    void appliedPositionsCompleteWaiters() {
        CompletableFuture<Void> waiting = state.locationsApplied().awaitPosition(0, 2);
        publish(at("a", "1", "Alford", 1, 1));
        assertThat(waiting).isNotDone();
        publish(at("b", "1", "Alford", 1, 1));
        assertThat(waiting).isDone();
    }

    @Test
    void placesAreAddedUpdatedAndDeleted() {
        Place cafe = new Place("news:1", "Cafe opens", 34.0689, -118.4452, "Westwood", List.of("news"), 0, null);
        places.pipeInput(cafe.id(), Json.encode(cafe));
        assertThat(state.placesIndex().nearby(34.07, -118.445, 1000, 5, PlacesIndex.Rank.DISTANCE))
                .extracting(n -> n.place().name()).containsExactly("Cafe opens");

        Place moved = new Place("news:1", "Cafe moves", 40.0, -74.0, "NYC", List.of("news"), 0, null);
        places.pipeInput(moved.id(), Json.encode(moved));
        assertThat(state.placesIndex().nearby(34.07, -118.445, 1000, 5, PlacesIndex.Rank.DISTANCE)).isEmpty();
        assertThat(state.placesIndex().nearby(40.0, -74.0, 1000, 5, PlacesIndex.Rank.DISTANCE))
                .extracting(n -> n.place().name()).containsExactly("Cafe moves");

        places.pipeInput(moved.id(), (byte[]) null);
        assertThat(state.placesIndex().nearby(40.0, -74.0, 1000, 5, PlacesIndex.Rank.DISTANCE)).isEmpty();
        assertThat(state.placesIndex().size()).isZero();
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(Topics.PLACE_STORE);
        assertThat(store.get("news:1")).isNull();
    }

    @Test
    void invalidPlacesAreSkipped() {
        places.pipeInput("bad", "{\"id\":\"bad\",\"lat\":91,\"lng\":0,\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        places.pipeInput("x", Json.encode(new Place("y", "key differs", 0, 0, "", List.of(), 0, null)));
        assertThat(state.placesIndex().size()).isZero();
        assertThat(state.placesApplied().position(0)).isEqualTo(2);
    }

    @Test
    void skippedRecordsAreCountedByTopicAndReason() {
        places.pipeInput("bad", "{\"id\":\"bad\",\"lat\":91,\"lng\":0,\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        places.pipeInput("has space", Json.encode(new Place("has space", "x", 0, 0, "", List.of(), 0, null)));
        places.pipeInput("junk", "not json".getBytes(StandardCharsets.UTF_8));
        locations.pipeInput("kiwi", "{\"client\":\"kiwi\"}".getBytes(StandardCharsets.UTF_8));
        locations.pipeInput("kiwi", "][".getBytes(StandardCharsets.UTF_8));
        locations.pipeInput((String) null, Json.encode(at("kiwi", "1", "Alford", 1, 1)));

        assertThat(state.placesSkipped().get(SkippedRecords.Reason.INVALID)).isEqualTo(1);
        assertThat(state.placesSkipped().get(SkippedRecords.Reason.BAD_KEY)).isEqualTo(1);
        assertThat(state.placesSkipped().get(SkippedRecords.Reason.NOT_DECODABLE)).isEqualTo(1);
        assertThat(state.locationsSkipped().get(SkippedRecords.Reason.INVALID)).isEqualTo(1);
        assertThat(state.locationsSkipped().get(SkippedRecords.Reason.NOT_DECODABLE)).isEqualTo(1);
        assertThat(state.locationsSkipped().get(SkippedRecords.Reason.BAD_KEY)).isEqualTo(1);
        assertThat(stored("kiwi")).isNull();
    }

    @Test
    void aRecordKeyedInTheStoresBookkeepingSpaceIsSkippedAndCannotMovePositions() {
        String position = " applied-offset 0";
        Location sneaky = new Location(position, "+1+1", 1, 1, "1", "Alford", "AT Alford +0.1 x +1+1 1", null);
        locations.pipeInput(position, Json.encode(sneaky));
        publish(at("kiwi", "1", "Alford", 1, 1));
        assertThat(state.locationsSkipped().get(SkippedRecords.Reason.BAD_KEY)).isEqualTo(1);
        assertThat(stored("kiwi")).isNotNull();
        assertThat(state.locationsApplied().position(0)).isEqualTo(2);
    }
}
