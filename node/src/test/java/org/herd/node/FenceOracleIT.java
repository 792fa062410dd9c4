package org.herd.node;

import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.NodeProcesses;
import org.herd.node.fixtures.ProcessHerd;
import org.herd.node.fixtures.SseClient;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import org.herd.stream.model.Topics;
import org.herd.stream.fence.Fence;
import org.herd.stream.fence.FenceParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.herd.node.fixtures.HttpClientSupport.get;
import static org.herd.node.fixtures.HttpClientSupport.send;

/**
 * Exactly once, checked from outside: three node processes on a real broker derive the events of
 * clients moving through hundreds of fences while a node holding derivation tasks is killed with
 * SIGKILL and started again, and another is stopped. Afterwards the events in {@code herd.events}
 * (read committed) equal, one for one and in order per client, what an independent oracle
 * computes from the locations and fences topics; and a Server-Sent Events subscriber that was
 * disconnected midway and resumed with {@code Last-Event-ID} received each event exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class FenceOracleIT {
    private static final List<String> NODES = List.of("Alford", "Ball", "Hamilton");
    private static final int FENCES = 240;
    private static final int CLIENTS = 40;

    @RegisterExtension
    static final ProcessHerd HERD = ProcessHerd.under(Path.of("target", "fence-oracle-it"), NODES)
            .with("write.timeout.ms", "5000");
    private NodeProcesses herd;

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    /** One event as both sides see it: its client, fence, kind, and the update it came from. */
    record Ev(String client, String fence, String detect, String time, long partition, long offset) {
        static Ev of(JsonNode e) {
            return new Ev(e.get("client").asText(), e.get("fence").asText(), e.get("detect").asText(),
                    e.get("time").asText(), e.get("source").get("partition").asLong(), e.get("source").get("offset").asLong());
        }
    }

    /**
     * Issue 22 (7): a fence replaced (only its meta changed) while the derivation is behind: an
     * update acknowledged between the first PUT and the replacement still gets its enter, once,
     * judged by the fence as replaced. Both derivation members are stopped meanwhile, so the
     * derivation reaches the update only after the replacement is in the fences topic. Runs first:
     * it leaves every node running and no fence behind.
     */
    @Test
    @org.junit.jupiter.api.Order(1)
    void aFenceReplacedWhileTheDerivationIsBehindLosesNoEvent() throws Exception {
        herd.stop("Alford");
        herd.stop("Ball");
        int hamilton = herd.httpPort("Hamilton");
        String fence = "{\"circle\": {\"lat\": 50.0, \"lng\": 50.0, \"radius\": 5000}, \"detect\": [\"enter\"]";
        assertThat(send("PUT", hamilton, "/v1/fences/replaced", fence + ", \"meta\": {\"v\": 1}}").status()).isEqualTo(200);
        try (LineClient c = new LineClient(herd.tcpPort("Hamilton"))) {
            assertThat(c.ask("IAMAT replaced-client +50.000000+50.000000 100")).startsWith("AT Hamilton");
        }
        assertThat(send("PUT", hamilton, "/v1/fences/replaced", fence + ", \"meta\": {\"v\": 2}}").status()).isEqualTo(200);
        herd.start("Alford", "Ball");
        try (SseClient events = new SseClient(hamilton, "/v1/fences/replaced/events?from=earliest", null)) {
            assertThat(events.status()).isEqualTo(200);
            List<SseClient.SseMessage> got = events.next(1);
            JsonNode e = Json.MAPPER.readTree(got.get(0).data());
            assertThat(e.get("client").asText()).isEqualTo("replaced-client");
            assertThat(e.get("detect").asText()).isEqualTo("enter");
            assertThat(e.get("meta").get("v").asInt()).as("judged by the fence as replaced").isEqualTo(2);
        }
        assertThat(committedEvents().stream().filter(ev -> ev.fence().equals("replaced"))).hasSize(1);
        assertThat(send("DELETE", hamilton, "/v1/fences/replaced", null).status()).isEqualTo(204);
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void everyUpdateYieldsItsEventsExactlyOnceThroughKillsStopsAndAResumedSubscriber() throws Exception {
        Random random = new Random(42);
        // fences over a 10 x 10 degree square: circles and rectangles, some with globs and inside
        for (int i = 0; i < FENCES; i++) {
            double lat = 10 + random.nextDouble() * 10;
            double lng = 10 + random.nextDouble() * 10;
            String detect = i % 3 == 0 ? "[\"enter\", \"exit\", \"inside\"]" : "[\"enter\", \"exit\"]";
            String match = i % 5 == 0 ? "\"c-1*\"" : "\"*\"";
            String shape = i % 4 == 0
                    ? String.format("\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}",
                    lng, lat, lng + 1.5, lat, lng + 1.5, lat + 1, lng, lat + 1, lng, lat)
                    : String.format("\"circle\": {\"lat\": %f, \"lng\": %f, \"radius\": %d}", lat, lng, 20_000 + random.nextInt(30_000));
            var r = send("PUT", herd.httpPort(NODES.get(i % 3)), "/v1/fences/f-" + i,
                    "{" + shape + ", \"detect\": " + detect + ", \"match\": " + match + "}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        for (String n : NODES) {
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                JsonNode status = Json.MAPPER.readTree(get(herd.adminPort(n), "/admin/status").body());
                JsonNode d = status.path("derivation");
                // Alford and Ball run the derivation's members (fences.derivation.members = 2); Hamilton serves events only
                return n.equals("Hamilton") ? status.path("fences").asInt() == FENCES
                        : d.path("fences").asInt() == FENCES && d.path("state").asText().equals("RUNNING");
            });
        }

        List<SseClient.SseMessage> received = new ArrayList<>();
        SseClient first = new SseClient(herd.httpPort("Hamilton"), "/v1/events", null);
        assertThat(first.status()).isEqualTo(200);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        Map<String, Boolean> up = new java.util.concurrent.ConcurrentHashMap<>();
        NODES.forEach(n -> up.put(n, true));
        List<Thread> movers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int me = t;
            Thread th = new Thread(() -> move(me, stop, sent, up), "mover-" + t);
            movers.add(th);
            th.start();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= 300);

        // a member holding derivation tasks dies, and comes back
        String victim = NODES.stream().filter(n -> !n.equals("Hamilton")).filter(this::holdsTasks).findFirst().orElse("Ball");
        up.put(victim, false);
        herd.kill9(victim);
        long atKill = sent.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= atKill + 300);

        // the subscriber loses its connection; it will resume after the last event it saw
        received.addAll(first.drain());
        first.close();

        herd.start(victim);
        up.put(victim, true);
        long atRestart = sent.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= atRestart + 300);

        // another member is stopped for good: the rest derive its share
        String stopped = NODES.stream().filter(n -> !n.equals("Hamilton") && !n.equals(victim)).findFirst().orElseThrow();
        up.put(stopped, false);
        herd.stop(stopped);
        long atStop = sent.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= atStop + 300);
        stop.set(true);
        for (Thread th : movers) {
            th.join();
        }

        List<Ev> expected = oracle();
        assertThat(expected).hasSizeGreaterThan(100);
        await().atMost(Duration.ofSeconds(120)).until(() -> thisTests(committedEvents()).size() >= expected.size());
        List<Ev> derived = thisTests(committedEvents());
        assertThat(byClient(derived)).isEqualTo(byClient(expected));

        String lastId = received.isEmpty() ? null : received.get(received.size() - 1).id();
        try (SseClient resumed = new SseClient(herd.httpPort("Hamilton"), "/v1/events", lastId)) {
            int missing = derived.size() - received.size();
            received.addAll(resumed.next(missing));
        }
        List<Ev> pushed = received.stream().map(m -> {
            try {
                return Ev.of(Json.MAPPER.readTree(m.data()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(pushed).as("each event pushed once, in the topic's order").isEqualTo(inTopicOrder(derived, pushed));
        assertThat(new java.util.HashSet<>(pushed)).hasSize(pushed.size());
        assertThat(byClient(pushed)).isEqualTo(byClient(expected));
    }

    /** The events of this test's fences (the test before it leaves one event of a fence it deleted). */
    private static List<Ev> thisTests(List<Ev> events) {
        return events.stream().filter(e -> e.fence().startsWith("f-")).toList();
    }

    private boolean holdsTasks(String node) {
        try {
            return Json.MAPPER.readTree(get(herd.adminPort(node), "/admin/status").body())
                    .path("derivation").path("activeTasks").asInt() > 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** A mover thread: clients c-<me>-<k> wander over the square, one IAMAT at a time, sometimes a stale or repeated time. */
    private void move(int me, AtomicBoolean stop, AtomicLong sent, Map<String, Boolean> up) {
        Random random = new Random(me);
        double[][] pos = new double[CLIENTS / 4][2];
        long[] time = new long[pos.length];
        for (int k = 0; k < pos.length; k++) {
            pos[k][0] = 10 + random.nextDouble() * 10;
            pos[k][1] = 10 + random.nextDouble() * 10;
            time[k] = 1000;
        }
        Map<String, LineClient> conns = new HashMap<>();
        try {
            while (!stop.get()) {
                int k = random.nextInt(pos.length);
                pos[k][0] = Math.max(9, Math.min(21, pos[k][0] + random.nextGaussian() * 0.4));
                pos[k][1] = Math.max(9, Math.min(21, pos[k][1] + random.nextGaussian() * 0.4));
                int roll = random.nextInt(20);
                long t = roll == 0 ? time[k] - 5 : roll == 1 ? time[k] : ++time[k]; // stale, a tie, newer
                String node = NODES.get(random.nextInt(NODES.size()));
                if (!up.get(node)) {
                    node = "Hamilton";
                }
                String line = String.format("IAMAT c-%d-%d %+.6f%+.6f %d", me, k, pos[k][0], pos[k][1], t);
                try {
                    LineClient c = conns.get(node);
                    if (c == null) {
                        c = new LineClient(herd.tcpPort(node));
                        conns.put(node, c);
                    }
                    String reply = c.ask(line);
                    if (reply != null && reply.startsWith("AT ")) {
                        sent.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    LineClient gone = conns.remove(node);
                    if (gone != null) {
                        try {
                            gone.close();
                        } catch (java.io.IOException ignored) {
                            // already closed
                        }
                    }
                }
            }
        } finally {
            for (LineClient c : conns.values()) {
                try {
                    c.close();
                } catch (java.io.IOException ignored) {
                    // closing
                }
            }
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", HERD.broker().bootstrapServers(),
                "isolation.level", "read_committed", "enable.auto.commit", false),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Every record of a topic, read committed, per partition in offset order. */
    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(topic)) {
                tps.add(new TopicPartition(topic, p.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = c.endOffsets(tps);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private List<Ev> committedEvents() throws java.io.IOException {
        List<Ev> out = new ArrayList<>();
        for (var r : readAll(Topics.EVENTS)) {
            out.add(Ev.of(Json.MAPPER.readTree(r.value())));
        }
        return out;
    }

    /** The rules of docs/fences.md, computed here from the topics with a plain loop over every fence. */
    private List<Ev> oracle() throws java.io.IOException {
        FenceParser parser = new FenceParser();
        record OracleFence(Fence fence, long since) {
        }
        Map<String, OracleFence> fences = new LinkedHashMap<>();
        for (var r : readAll(Topics.FENCES)) {
            if (r.value() == null) {
                fences.remove(r.key());
            } else if (parser.parseRecord(r.key(), r.value()) instanceof FenceParser.Valid v) {
                fences.put(r.key(), new OracleFence(v.fence(), r.timestamp()));
            }
        }
        List<OracleFence> sorted = fences.values().stream().sorted(Comparator.comparing(s -> s.fence().id())).toList();
        Map<String, Location> newest = new HashMap<>();
        List<Ev> out = new ArrayList<>();
        for (var r : readAll(Topics.LOCATIONS)) {
            Location now = Json.decodeOrNull(r.value(), Location.class);
            if (now == null) {
                continue;
            }
            Location before = newest.get(now.client());
            if (before != null && new BigDecimal(now.clientTime()).compareTo(new BigDecimal(before.clientTime())) <= 0) {
                continue;
            }
            newest.put(now.client(), now);
            for (OracleFence s : sorted) {
                Fence f = s.fence();
                if (s.since() > r.timestamp() || !f.matches(now.client())) {
                    continue;
                }
                boolean in = f.shape().contains(now.lat(), now.lng());
                boolean was = before != null && f.shape().contains(before.lat(), before.lng());
                if (in && !was && f.detect().contains(Fence.Detect.ENTER)) {
                    out.add(new Ev(now.client(), f.id(), "enter", now.clientTime(), r.partition(), r.offset()));
                }
                if (was && !in && f.detect().contains(Fence.Detect.EXIT)) {
                    out.add(new Ev(now.client(), f.id(), "exit", now.clientTime(), r.partition(), r.offset()));
                }
                if (in && f.detect().contains(Fence.Detect.INSIDE)) {
                    out.add(new Ev(now.client(), f.id(), "inside", now.clientTime(), r.partition(), r.offset()));
                }
            }
        }
        return out;
    }

    /** Events per client, in order: what "in order per client" promises (partitions interleave). */
    private static Map<String, List<Ev>> byClient(List<Ev> events) {
        Map<String, List<Ev>> m = new java.util.TreeMap<>();
        events.forEach(e -> m.computeIfAbsent(e.client(), k -> new ArrayList<>()).add(e));
        return m;
    }

    /** {@code pushed} re-sorted into the committed topic's per-client order, to compare against it. */
    private static List<Ev> inTopicOrder(List<Ev> committed, List<Ev> pushed) {
        Map<String, List<Ev>> expectedPerClient = byClient(committed);
        Map<String, java.util.Iterator<Ev>> its = new HashMap<>();
        expectedPerClient.forEach((c, l) -> its.put(c, l.iterator()));
        List<Ev> out = new ArrayList<>();
        for (Ev e : pushed) {
            java.util.Iterator<Ev> it = its.get(e.client());
            out.add(it != null && it.hasNext() ? it.next() : null);
        }
        return out;
    }
}
