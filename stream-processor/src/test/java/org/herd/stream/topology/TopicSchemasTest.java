package org.herd.stream.topology;

import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import org.herd.stream.model.Place;
import org.herd.stream.model.TopicNames;
import org.herd.stream.model.Topics;
import org.herd.stream.store.SkippedRecords;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published record formats (docs/schemas/*.schema.json) describe what the stores apply:
 * their fields are the records' fields, and their examples, written to the topics, are applied.
 */
class TopicSchemasTest {
    private StoreState state;
    private TopologyTestDriver driver;

    @BeforeEach
    void start() {
        state = StoreState.create(TopicNames.DEFAULT);
        driver = TestDrivers.herd("herd-schema-test", state);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static JsonNode schema(String name) throws IOException {
        return Json.MAPPER.readTree(Path.of("..", "docs", "schemas", name).toFile());
    }

    private static Set<String> fields(JsonNode schema) {
        Set<String> names = new HashSet<>();
        schema.get("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> components(Class<? extends Record> type) {
        Set<String> names = new HashSet<>();
        Arrays.stream(type.getRecordComponents()).forEach(c -> names.add(c.getName()));
        return names;
    }

    @Test
    void theLocationSchemaDescribesTheLocationRecordAndItsExampleIsApplied() throws IOException {
        JsonNode schema = schema("location.schema.json");
        assertThat(fields(schema)).isEqualTo(components(Location.class));
        TestInputTopic<String, byte[]> topic = driver.createInputTopic(Topics.LOCATIONS, new StringSerializer(),
                new ByteArraySerializer());
        for (JsonNode example : schema.get("examples")) { // the second is a record from before the skew field
            topic.pipeInput(example.get("client").asText(), Json.encode(example));
            Location stored = Json.decodeOrNull(driver.<String, byte[]>getKeyValueStore(Topics.LOCATION_STORE)
                    .get(example.get("client").asText()), Location.class);
            assertThat(stored).isNotNull();
            assertThat(stored.clientTime()).isEqualTo(example.get("clientTime").asText());
            assertThat(stored.at()).as("the skew, stored or read from at, is at's").contains(" " + stored.skew() + " ");
        }
        assertThat(schema.get("examples")).hasSize(2);
        assertThat(schema.get("examples").get(1).has("skew")).isFalse();
        assertThat(state.locationsSkipped().get(SkippedRecords.Reason.INVALID)).isZero();
    }

    @Test
    void thePlaceSchemaDescribesThePlaceRecordAndItsExampleIsApplied() throws IOException {
        JsonNode schema = schema("place.schema.json");
        assertThat(fields(schema)).isEqualTo(components(Place.class));
        JsonNode example = schema.get("examples").get(0);
        TestInputTopic<String, byte[]> topic = driver.createInputTopic(Topics.PLACES, new StringSerializer(),
                new ByteArraySerializer());
        topic.pipeInput(example.get("id").asText(), Json.encode(example));
        assertThat(state.placesIndex().get(example.get("id").asText())).isNotNull();
    }

    @Test
    void theFenceSchemaDescribesAFenceAndItsExamplesAreApplied() throws IOException {
        JsonNode schema = schema("fence.schema.json");
        assertThat(fields(schema)).containsExactlyInAnyOrder("id", "circle", "polygon", "detect", "match", "meta");
        TestInputTopic<String, byte[]> topic = driver.createInputTopic(Topics.FENCES, new StringSerializer(),
                new ByteArraySerializer());
        for (JsonNode example : schema.get("examples")) {
            topic.pipeInput(example.get("id").asText(), Json.encode(example));
            assertThat(state.fenceIndex().get(example.get("id").asText())).isPresent();
        }
        assertThat(state.fencesSkipped().get(SkippedRecords.Reason.INVALID)).isZero();
    }

    @Test
    void theFenceEventSchemaDescribesTheEventRecordAndItsExampleReadsAsOne() throws IOException {
        JsonNode schema = schema("fence-event.schema.json");
        assertThat(fields(schema)).isEqualTo(components(org.herd.stream.fence.FenceEvent.class));
        assertThat(new java.util.HashSet<>(Json.MAPPER.convertValue(schema.get("required"), java.util.List.class)))
                .isEqualTo(components(org.herd.stream.fence.FenceEvent.class));
        org.herd.stream.fence.FenceEvent e = Json.MAPPER.treeToValue(schema.get("examples").get(0),
                org.herd.stream.fence.FenceEvent.class);
        assertThat(Json.MAPPER.writeValueAsString(e)).isEqualTo(schema.get("examples").get(0).toString());
    }
}
