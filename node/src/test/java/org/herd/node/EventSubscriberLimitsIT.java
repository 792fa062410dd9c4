package org.herd.node;

import org.herd.node.fixtures.SseClient;
import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.TestHerd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.herd.node.fixtures.HttpClientSupport.get;
import static org.herd.node.fixtures.HttpClientSupport.send;

/**
 * A fence event subscriber that never reads: its stream is cut off once its buffer (the
 * connection's output budget) fills and stays full for the stall timeout; the node's memory does
 * not grow with it, and everyone else goes on. A replay from the topic holds one of the
 * {@code events.catchup.max} catch-up slots while it lasts: one more is answered 503.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventSubscriberLimitsIT {
    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford")
            .bundledPlaces(p -> p.vicinity().endsWith(", CA, US"))
            .with("connection.output.max.bytes", "65536")
            .with("connection.output.stall.timeout.ms", "5000")
            .with("events.catchup.max", "2")
            .with("events.catchup.max.per.address", "1")
            .with("events.subscribers.max.per.address", "3");

    private TestHerd herd;

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    private double subscribers() throws Exception {
        return get(herd.node("Alford").adminPort(), "/metrics").body().lines()
                .filter(l -> l.startsWith("herd_event_subscribers{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private void insideFence(int http) throws Exception {
        assertThat(send("PUT", http, "/v1/fences/everything",
                "{\"circle\": {\"lat\": 34.0689, \"lng\": -118.4452, \"radius\": 1000}, \"detect\": [\"inside\"]}").status())
                .isEqualTo(200);
    }

    /** A subscriber of {@code path} that never reads, with a tiny receive buffer. */
    private static Socket lazySubscriber(int http, String path) throws Exception {
        return lazySubscriber("127.0.0.1", http, path);
    }

    /** As above, from the loopback address {@code from} (127.0.0.x: each a client address of its own). */
    private static Socket lazySubscriber(String from, int http, String path) throws Exception {
        Socket lazy = new Socket();
        lazy.setReceiveBufferSize(1024);
        lazy.bind(new InetSocketAddress(from, 0));
        lazy.connect(new InetSocketAddress("127.0.0.1", http), 5000);
        OutputStream out = lazy.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: herd\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return lazy;
    }

    /** {@code count} IAMATs inside the fence, each one event; returns the next time to use. */
    private static long moves(LineClient mover, String client, long time, int count) throws Exception {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < count; i++) {
            batch.append("IAMAT ").append(client).append(" +34.068930-118.445127 ").append(time++).append('\n');
        }
        mover.send(batch.toString());
        for (int i = 0; i < count; i++) {
            assertThat(mover.readLine()).startsWith("AT Alford");
        }
        return time;
    }

    @Test
    void aReplayBeyondTheCatchUpLimitIsAnswered503UntilTheSlotFrees() throws Exception {
        int http = herd.node("Alford").httpPort();
        insideFence(http);
        try (LineClient mover = new LineClient(herd.node("Alford").tcpPort())) {
            long time = 1;
            for (int i = 0; i < 100; i++) { // 20,000 events, about 6 MB: more than a lazy reader's budget and kernel buffers hold
                time = moves(mover, "replayed-target", time, 200);
            }
        }
        // every event derived and committed before the lazy replay starts (the derivation runs beside the
        // writes): the replay then has the whole backlog to read, and holds its slot while it does
        await().atMost(Duration.ofSeconds(120)).until(() -> committedEvents() >= 20_000);
        // the other test's subscribers gone (a closed stream is noticed when written to, or cut off)
        await().atMost(Duration.ofSeconds(60)).until(() -> subscribers() == 0);
        try (Socket lazy = lazySubscriber(http, "/v1/events?from=earliest");
             Socket lazyToo = lazySubscriber("127.0.0.2", http, "/v1/events?from=earliest")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> subscribers() == 2);
            // 127.0.0.1's replay holds its address's only slot (events.catchup.max.per.address), the two
            // replays both of the node's (events.catchup.max), until cut off (the stall timeout, 5 s, after their budgets fill)
            String sameAddress = firstLine("127.0.0.1", http, "/v1/events?from=earliest");
            assertThat(sameAddress).startsWith("HTTP/1.1 503").contains("resuming subscribers of this address (events.catchup.max.per.address)");
            String otherAddress = firstLine("127.0.0.3", http, "/v1/events?from=earliest");
            assertThat(otherAddress).startsWith("HTTP/1.1 503").contains("resuming subscribers (events.catchup.max)");
            try (SseClient refused = new SseClient(http, "/v1/events?from=earliest", null)) {
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("Retry-After")).isNotNull();
            }
            // a subscriber of the live end needs no slot
            try (SseClient live = new SseClient(http, "/v1/events", null)) {
                assertThat(live.status()).isEqualTo(200);
            }
        }
        // the lazy one cut off (or gone), the slot is free again
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            try (SseClient replay = new SseClient(http, "/v1/events?from=earliest", null)) {
                assertThat(replay.status()).isEqualTo(200);
                assertThat(replay.next(1)).hasSize(1);
            }
        });
    }

    @Test
    void aSubscriberThatNeverReadsIsCutOffAndTheNodeGoesOn() throws Exception {
        int http = herd.node("Alford").httpPort();
        insideFence(http);
        await().atMost(Duration.ofSeconds(60)).until(() -> subscribers() == 0);
        try (Socket lazy = lazySubscriber(http, "/v1/events")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> subscribers() == 1);
            // events until the lazy subscriber's kernel buffers and its budget are full: each update inside is one event
            try (LineClient mover = new LineClient(herd.node("Alford").tcpPort())) {
                long time = 1;
                while (subscribers() > 0) {
                    time = moves(mover, "lazy-target", time, 200);
                    assertThat(time).as("the lazy subscriber is cut off before 100,000 events").isLessThan(100_000);
                }
            }
        }
        assertThat(get(http, "/health").status()).isEqualTo(200);
        try (SseClient fine = new SseClient(http, "/v1/events", null)) {
            assertThat(fine.status()).isEqualTo(200);
        }
    }

    /** Sends a GET of {@code path} from the loopback address {@code from}; the answer's head and body up to 4 KiB. */
    private static String firstLine(String from, int http, String path) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", http), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: herd\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] buf = s.getInputStream().readNBytes(4096);
            return new String(buf, StandardCharsets.UTF_8);
        }
    }

    /** WATCH subscribers are counted per client address too: past events.subscribers.max.per.address, ERROR busy. */
    @Test
    void oneAddressHoldsAtMostItsShareOfSubscribers() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> subscribers() == 0);
        java.util.List<LineClient> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                LineClient w = new LineClient(herd.node("Alford").tcpPort());
                open.add(w);
                w.send("WATCH *\n");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> subscribers() == 3);
            try (LineClient fourth = new LineClient(herd.node("Alford").tcpPort())) {
                // the node takes 256 (events.subscribers.max); this address has its 3
                assertThat(fourth.ask("WATCH *")).isEqualTo("ERROR busy WATCH *");
            }
            try (Socket other = new Socket()) {
                other.bind(new InetSocketAddress("127.0.0.2", 0));
                other.connect(new InetSocketAddress("127.0.0.1", herd.node("Alford").tcpPort()), 5000);
                other.getOutputStream().write("WATCH *\n".getBytes(StandardCharsets.US_ASCII));
                await().atMost(Duration.ofSeconds(30)).until(() -> subscribers() == 4);
            }
        } finally {
            for (LineClient w : open) {
                w.close();
            }
        }
    }

    /** Events readable (read committed) in the events topic, all partitions together (offsets, markers included). */
    private long committedEvents() {
        var config = herd.config();
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(java.util.Map.<String, Object>of(
                "bootstrap.servers", config.bootstrapServers(), "isolation.level", "read_committed"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partitions = c.partitionsFor(config.topics().events()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            return c.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
