package org.herd.node;

import org.herd.node.fixtures.HttpClientSupport;
import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.TestHerd;
import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;
import org.herd.node.ops.PlacesSeeder;
import org.herd.node.replica.ReplicaDirectories;

import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.geo.Geo;
import org.herd.stream.model.Json;
import org.herd.stream.model.Place;
import org.herd.stream.model.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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

/**
 * The herd core against a real broker: five nodes, real TCP sockets, the full GeoNames data set.
 * Mirrors docs/protocol.md: given a herd, when a client writes and reads, then replies are as
 * documented.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HerdIT {
    private static final List<String> NODES = HerdConfig.DEFAULT_NODES;
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private TestHerd herd;

    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford", "Ball", "Hamilton", "Holiday", "Welsh")
            .bundledPlaces(p -> true);

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    private static String newClient() {
        return "client-" + CLIENTS.incrementAndGet() + ".cs.ucla.edu";
    }

    @Test
    void anIamatAtOneNodeIsVisibleAtEveryOtherNodeAsSoonAsTheAtArrives() throws Exception {
        for (String writer : NODES) {
            String client = newClient();
            String at;
            try (LineClient c = herd.client(writer)) {
                at = c.ask("IAMAT " + client + " +34.068930-118.445127 1621464827.959498503");
            }
            assertThat(at).startsWith("AT " + writer + " +").endsWith(" " + client + " +34.068930-118.445127 1621464827.959498503");
            for (String reader : NODES) {
                try (LineClient c = herd.client(reader)) {
                    String reply = c.whatsat("WHATSAT " + client + " 10 5");
                    assertThat(reply).as("WHATSAT at %s after IAMAT at %s", reader, writer).startsWith(at + "\n{");
                }
            }
        }
    }

    @Test
    void readYourWritesOnOneConnection() throws Exception {
        String client = newClient();
        try (LineClient c = herd.client("Hamilton")) {
            for (int i = 0; i < 20; i++) {
                String location = String.format("+%09.6f-118.445127", 34.0 + i / 100.0);
                String at = c.ask("IAMAT " + client + " " + location + " " + (1000 + i));
                assertThat(c.whatsat("WHATSAT " + client + " 1 1")).startsWith(at + "\n");
            }
        }
    }

    @Test
    void whatsatAnswersRealPlacesWithinTheRadiusRankedByPopulation() throws Exception {
        String client = newClient();
        try (LineClient c = herd.client("Ball")) {
            c.ask("IAMAT " + client + " +34.068930-118.445127 1621464827.959498503");
            String reply = c.whatsat("WHATSAT " + client + " 10 5");
            String json = reply.substring(reply.indexOf('\n') + 1);
            assertThat(json).doesNotContain("\n\n");
            JsonNode root = Json.MAPPER.readTree(json);
            assertThat(root.get("status").asText()).isEqualTo("OK");
            assertThat(root.get("html_attributions").get(0).asText()).contains("GeoNames").contains("CC BY 4.0");
            JsonNode results = root.get("results");
            assertThat(results.size()).isEqualTo(5);
            List<String> names = new ArrayList<>();
            for (JsonNode r : results) {
                names.add(r.get("name").asText());
                double lat = r.get("geometry").get("location").get("lat").asDouble();
                double lng = r.get("geometry").get("location").get("lng").asDouble();
                assertThat(Geo.distanceMetres(34.068930, -118.445127, lat, lng)).isLessThanOrEqualTo(10_000);
                assertThat(r.get("place_id").asText()).startsWith("gn:");
                assertThat(r.get("vicinity").asText()).isNotEmpty();
                assertThat(r.get("types").isArray()).isTrue();
            }
            // Santa Monica (pop. 93k) lies within 10 km; Los Angeles itself (~19 km away) does not.
            assertThat(names).contains("Santa Monica").doesNotContain("Los Angeles");
        }
    }

    @Test
    void zeroResultsInTheMiddleOfTheOcean() throws Exception {
        String client = newClient();
        try (LineClient c = herd.client("Welsh")) {
            c.ask("IAMAT " + client + " -30.000000-140.000000 1700000000");
            String reply = c.whatsat("WHATSAT " + client + " 50 20");
            JsonNode root = Json.MAPPER.readTree(reply.substring(reply.indexOf('\n') + 1));
            assertThat(root.get("status").asText()).isEqualTo("ZERO_RESULTS");
            assertThat(root.get("results").size()).isZero();
        }
    }

    @Test
    void newestClientTimeWinsOnEveryNodeWhateverTheArrivalOrder() throws Exception {
        String client = newClient();
        String newer;
        try (LineClient c = herd.client("Alford")) {
            newer = c.ask("IAMAT " + client + " +10.000000+010.000000 2000.5");
        }
        try (LineClient c = herd.client("Welsh")) {
            String older = c.ask("IAMAT " + client + " +20.000000+020.000000 2000.4");
            assertThat(older).startsWith("AT Welsh ");
            String same = c.ask("IAMAT " + client + " +30.000000+030.000000 2000.50");
            assertThat(same).startsWith("AT Welsh ");
        }
        for (String reader : NODES) {
            try (LineClient c = herd.client(reader)) {
                assertThat(c.whatsat("WHATSAT " + client + " 1 1")).startsWith(newer + "\n");
            }
        }
    }

    @Test
    void unknownClientsAndInvalidCommandsGetAQuestionMark() throws Exception {
        try (LineClient c = herd.client("Holiday")) {
            assertThat(c.ask("WHATSAT nobody-has-heard-of-me 10 5")).isEqualTo("? WHATSAT nobody-has-heard-of-me 10 5");
            assertThat(c.ask("WHATSAT kiwi.cs.ucla.edu 51 5")).isEqualTo("? WHATSAT kiwi.cs.ucla.edu 51 5");
            assertThat(c.ask("  HELLO\tworld ")).isEqualTo("?   HELLO\tworld ");
            // the connection is still served
            assertThat(c.ask("IAMAT " + newClient() + " +1-1 1")).startsWith("AT Holiday ");
        }
    }

    @Test
    void bytesThatAreNotUtf8AndOverlongLinesAreEchoedAndTheConnectionGoesOn() throws Exception {
        try (LineClient c = herd.client("Ball")) {
            byte[] bad = {'I', 'A', 'M', 'A', 'T', ' ', (byte) 0xC3, (byte) 0x28, ' ', '+', '1', '+', '1', ' ', '1', '\n'};
            c.sendBytes(bad);
            byte[] expected = new byte[bad.length + 2];
            expected[0] = '?';
            expected[1] = ' ';
            System.arraycopy(bad, 0, expected, 2, bad.length - 1);
            expected[expected.length - 1] = '\n';
            assertThat(c.readRaw(expected.length)).isEqualTo(expected);

            String longLine = "WHATSAT " + "x".repeat(10_000) + " 10 5";
            assertThat(c.ask(longLine)).isEqualTo("? " + longLine.substring(0, 4096));
            assertThat(c.ask("IAMAT " + newClient() + " +1+1 1")).startsWith("AT Ball ");
        }
    }

    @Test
    void aHalfClosingClientGetsItsReplyThenEndOfStream() throws Exception {
        String client = newClient();
        try (LineClient c = herd.client("Alford")) {
            c.send("IAMAT " + client + " +34.068930-118.445127 1621464827.959498503"); // no newline: EOF ends it
            c.shutdownOutput();
            String all = c.readToEnd();
            assertThat(all).matches("AT Alford [+-]\\d+\\.\\d{9} " + client.replace(".", "\\.")
                    + " \\+34\\.068930-118\\.445127 1621464827\\.959498503\n");
        }
        try (LineClient c = herd.client("Ball")) {
            c.send("WHATSAT " + client + " 10 2\r\n");
            c.shutdownOutput();
            String all = c.readToEnd();
            assertThat(all).startsWith("AT Alford ").endsWith("}\n\n");
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        String client = newClient();
        StringBuilder batch = new StringBuilder();
        List<String> expectedKinds = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            batch.append("IAMAT ").append(client).append(" +34.0-118.0 ").append(100 + i).append('\n');
            expectedKinds.add("AT");
            batch.append("WHATSAT ").append(client).append(" 5 1\r\n");
            expectedKinds.add("WHATSAT:" + (100 + i));
            batch.append("\n");
            batch.append("BOGUS ").append(i).append('\n');
            expectedKinds.add("? BOGUS " + i);
        }
        try (LineClient c = herd.client("Holiday")) {
            c.send(batch.toString());
            for (String kind : expectedKinds) {
                String reply = kind.startsWith("WHATSAT:") ? c.readReply() : c.readLine();
                if (kind.equals("AT")) {
                    assertThat(reply).startsWith("AT Holiday ");
                } else if (kind.startsWith("WHATSAT:")) {
                    // a pipelined WHATSAT sees the IAMAT sent just before it on the same connection
                    assertThat(reply.lines().findFirst().orElseThrow()).endsWith(" " + kind.substring(8));
                } else {
                    assertThat(reply).isEqualTo(kind);
                }
            }
        }
    }

    @Test
    void aStoppedNodeCatchesUpWhenItComesBack() throws Exception {
        herd.stop("Hamilton");
        Map<String, String> written = new LinkedHashMap<>();
        try (LineClient c = herd.client("Alford")) {
            for (int i = 0; i < 50; i++) {
                String client = newClient();
                written.put(client, c.ask("IAMAT " + client + " +45.5-073.5 " + (5000 + i)));
            }
        }
        herd.start("Hamilton");
        try (LineClient c = herd.client("Hamilton")) {
            for (var e : written.entrySet()) {
                assertThat(c.whatsat("WHATSAT " + e.getKey() + " 2 1")).startsWith(e.getValue() + "\n");
            }
        }
    }

    @Test
    void aNodeWhoseStateWasWipedRebuildsToTheSameAnswers() throws Exception {
        List<String> queries = new ArrayList<>();
        try (LineClient c = herd.client("Ball")) {
            for (int i = 0; i < 20; i++) {
                String client = newClient();
                c.ask(String.format("IAMAT %s %+.4f%+.4f %d", client, 40 + i * 0.1, -74 + i * 0.1, 7000 + i));
                queries.add("WHATSAT " + client + " " + (5 + i) + " " + (1 + i % 20));
            }
        }
        Map<String, String> before = new LinkedHashMap<>();
        try (LineClient c = herd.client("Holiday")) {
            for (String q : queries) {
                before.put(q, c.whatsat(q));
            }
        }
        herd.stop("Holiday");
        ReplicaDirectories.deleteRecursively(herd.stateDir("Holiday"));
        assertThat(herd.stateDir("Holiday")).doesNotExist();
        herd.start("Holiday");
        try (LineClient c = herd.client("Holiday")) {
            for (String q : queries) {
                assertThat(c.whatsat(q)).isEqualTo(before.get(q));
            }
        }
    }

    @Test
    void eachNodeLogsItsConnectionsAndEveryLineInAndOut() throws Exception {
        String client = newClient();
        try (LineClient c = herd.client("Welsh")) {
            c.ask("IAMAT " + client + " +1.0+2.0 3");
            c.ask("NONSENSE " + client);
        }
        Path log = herd.logFile("Welsh");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String text = Files.readString(log);
            assertThat(text).contains(" open ").contains(" close ")
                    .contains(" in  IAMAT " + client + " +1.0+2.0 3")
                    .contains(" out AT Welsh ")
                    .contains(" out ? NONSENSE " + client);
        });
    }

    @Test
    void bundledPlacesAreLoadedOnceAndHerdsSeededBeforeTheSeedsTopicAreNotReloaded() throws Exception {
        HerdConfig config = herd.config();
        Place extra = new Place("test:seeded-" + System.nanoTime(), "Seedtown", -41.25, 172.5, "Seedtown, NZ",
                List.of("locality"), 1_000_000, null);
        // the extension loaded the bundled data set: a second load publishes nothing
        assertThat(PlacesSeeder.seed(config, PlacesSeeder.DATASET, List.of(extra))).isZero();
        // a herd seeded before the seeds topic existed holds its marker in the places topic
        String legacy = "legacy-" + System.nanoTime();
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", config.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(config.topics().places(), Topics.legacySeedMarkerKey(legacy),
                    "{\"dataset\":\"" + legacy + "\"}")).get();
        }
        assertThat(PlacesSeeder.seed(config, legacy, List.of(extra))).isZero();
        // a new data set is loaded once
        String fresh = "fresh-" + System.nanoTime();
        assertThat(PlacesSeeder.seed(config, fresh, List.of(extra))).isEqualTo(1);
        assertThat(PlacesSeeder.seed(config, fresh, List.of(extra))).isZero();
        assertThat(seedsTopic(config)).containsKeys(PlacesSeeder.DATASET, legacy, fresh);
        assertThat(seedsTopic(config).get(fresh).get("places").asInt()).isEqualTo(1);
        // the place arrived; the legacy marker is neither a place nor a skipped record
        String client = newClient();
        try (LineClient c = herd.client("Holiday")) {
            c.ask("IAMAT " + client + " -41.25+172.5 1");
            assertThat(c.whatsat("WHATSAT " + client + " 1 1")).contains("\"Seedtown\"");
        }
        String metrics = HttpClientSupport.get(herd.node("Holiday").httpPort(), "/metrics").body();
        assertThat(metrics.lines().filter(l -> l.startsWith("herd_skipped_records_total")
                && l.contains("topic=\"" + config.topics().places() + "\"")))
                .isNotEmpty().allSatisfy(l -> assertThat(l).endsWith(" 0.0"));
    }

    /** The seeds topic's records by key, read from start to end. */
    private static Map<String, JsonNode> seedsTopic(HerdConfig config) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        TopicPartition tp = new TopicPartition(config.get(Settings.TOPICS_SEEDS), 0);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                config.bootstrapServers()), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(r -> found.put(r.key(), Json.decodeOrNull(r.value(), JsonNode.class)));
            }
        }
        return found;
    }
}
