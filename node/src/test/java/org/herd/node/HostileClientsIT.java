package org.herd.node;

import org.herd.node.fixtures.ChildJvm;
import org.herd.node.fixtures.HttpClientSupport;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.ReliabilityFigures;
import org.herd.node.fixtures.BrokerProcess;
import org.herd.node.fixtures.NodeProcesses;
import org.herd.node.fixtures.ProcessHerd;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.herd.stream.model.Json;
import org.herd.stream.model.Place;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The attacks of a hostile or careless client, each against real node processes and a real
 * broker: clients that never read, never finish a line or a request, hold every connection, send
 * absurd numbers or paths, fill the log, or write while Kafka is down; and producers that write
 * to the herd's topics in transactions. After each, the node must answer /health and a WHATSAT
 * within seconds, with its heap bounded throughout and no OutOfMemoryError. Figures go to
 * target/reliability-figures.txt (docs/reliability.md quotes them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileClientsIT {
    private static final List<String> NODES = List.of("Alford", "Ball");
    /** The node's connection.max, all held idle by one test; scale it up with -Dhostile.idle=N. */
    private static final int MAX_CONNECTIONS = Integer.getInteger("hostile.idle", 2000);
    private static final int PER_ADDRESS = 500;
    /** Clients that pipeline WHATSATs and never read; scale up with -Dhostile.flood=N. */
    private static final int FLOOD = Integer.getInteger("hostile.flood", 1000);
    private static final long LOG_TOTAL_MAX = 1 << 20;
    private static final int WRITES_IN_FLIGHT = 50;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @RegisterExtension
    static final ProcessHerd HERD = ProcessHerd.under(Path.of("target", "hostile-it"), NODES)
            .with("write.timeout.ms", "3000")
            .with("read.freshness.timeout.ms", "3000")
            .with("write.inflight.max", String.valueOf(WRITES_IN_FLIGHT))
            .with("connection.max", String.valueOf(MAX_CONNECTIONS))
            .with("connection.max.per.address", String.valueOf(PER_ADDRESS))
            .with("connection.request.timeout.ms", "1000")
            .with("connection.output.stall.timeout.ms", "5000")
            .with("connection.output.max.bytes", "262144")
            .with("node.output.max.bytes", String.valueOf(32 << 20))
            .with("log.file.max.bytes", String.valueOf(256 << 10))
            .with("log.total.max.bytes", String.valueOf(LOG_TOTAL_MAX))
            .with("log.queue.max.bytes", String.valueOf(1 << 20));
    private final Path dir = HERD.dir();
    private BrokerProcess broker;
    private NodeProcesses herd;

    @BeforeAll
    void start() throws Exception {
        broker = HERD.broker();
        herd = HERD.herd();
        // places near the clients the tests use, with long names: WHATSAT replies of a few kB
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 20; i++) {
            batch.append(i == 0 ? "" : ",").append(Json.MAPPER.writeValueAsString(new Place("hostile:" + i,
                    "Place " + i + " " + "with a long name ".repeat(8), 10 + i * 0.001, 10, "Somewhere " + i,
                    List.of("locality"), 1000 - i, null)));
        }
        assertThat(HttpClientSupport.send("POST", herd.httpPort("Alford"), "/v1/places", batch + "]").status())
                .isEqualTo(201);
    }

    private LineClient client(String node) throws IOException {
        return new LineClient(herd.tcpPort(node));
    }

    /** After an attack: /health and a WHATSAT answered within a few seconds, and no OutOfMemoryError ever. */
    private void assertServing(String node) throws Exception {
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> health(herd.httpPort(node)) == 200);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            try (LineClient c = client(node)) {
                assertThat(c.ask("IAMAT check-" + node + " +10+10 " + String.format("%.3f", System.currentTimeMillis() / 1000.0)))
                        .startsWith("AT " + node + " ");
                assertThat(c.whatsat("WHATSAT check-" + node + " 50 20")).startsWith("AT ").contains("hostile:0");
            }
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(herd.output(node)).doesNotContain("OutOfMemoryError");
        assertThat(Files.readString(herd.config().logsDir().resolve(node + ".log"), StandardCharsets.ISO_8859_1))
                .doesNotContain("OutOfMemoryError");
    }

    private static int health(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String metrics(String node) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + herd.adminPort(node) + "/metrics"))
                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of a metric's series whose line contains every one of {@code labels}. */
    private static double metric(String body, String name, String... labels) {
        return body.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> Stream.of(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Samples a node's heap (from its own metrics) and resident memory (from /proc) while an attack runs. */
    private final class Sampler implements AutoCloseable {
        private final String node;
        private final Thread thread;
        private volatile boolean running = true;
        volatile double heapPeak;
        volatile double heapMax;
        volatile long rssPeakKb;
        volatile long longestSilenceNanos;

        Sampler(String node) {
            this.node = node;
            this.thread = new Thread(this::run, "sampler-" + node);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            long lastAnswer = System.nanoTime();
            while (running) {
                try {
                    String m = metrics(node);
                    heapPeak = Math.max(heapPeak, metric(m, "jvm_memory_used_bytes", "area=\"heap\""));
                    heapMax = metric(m, "jvm_memory_max_bytes", "area=\"heap\"");
                    lastAnswer = System.nanoTime();
                } catch (Exception e) {
                    longestSilenceNanos = Math.max(longestSilenceNanos, System.nanoTime() - lastAnswer);
                }
                rssPeakKb = Math.max(rssPeakKb, rssKb(herd.pid(node)));
                try {
                    Thread.sleep(200); // the sampling period of a sampler, not a synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
        }

        void assertBounded() {
            assertThat(heapMax).isPositive();
            assertThat(heapPeak).as("heap used, bytes").isLessThan(heapMax);
            assertThat(Duration.ofNanos(longestSilenceNanos)).as("longest time the node's metrics did not answer")
                    .isLessThan(Duration.ofSeconds(10));
        }
    }

    private static long rssKb(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).map(l -> l.replaceAll("[^0-9]", ""))
                    .mapToLong(Long::parseLong).findFirst().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    private static SocketChannel connectFrom(String source, int port) throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.bind(new InetSocketAddress(source, 0));
        ch.connect(new InetSocketAddress("127.0.0.1", port));
        return ch;
    }

    // --- the attacks -----------------------------------------------------------------------------

    @Test
    @Order(1)
    void pipelinedIamatsWithEqualTimesArePublishedInTheOrderReceived() throws Exception {
        try (LineClient c = client("Alford")) {
            assertThat(c.ask("IAMAT order-reader +10+10 1")).startsWith("AT ");
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                // behind a WHATSAT, so the IAMATs wait together and are released together
                lines.append("WHATSAT order-reader 50 20\n");
                for (int k = 1; k <= 4; k++) {
                    lines.append("IAMAT order-").append(i).append(" +").append(k).append("+").append(k).append(" 1000\n");
                }
            }
            c.send(lines.toString());
            for (int i = 0; i < 10; i++) {
                assertThat(c.readReply()).startsWith("AT ");
                for (int k = 1; k <= 4; k++) {
                    assertThat(c.readLine()).startsWith("AT Alford ");
                }
            }
        }
        try (LineClient c = client("Ball")) {
            for (int i = 0; i < 10; i++) {
                // equal client times: the first in topic order wins, and it must be the first sent
                assertThat(c.whatsat("WHATSAT order-" + i + " 1 1").lines().findFirst().orElseThrow())
                        .endsWith(" order-" + i + " +1+1 1000");
            }
        }
    }

    @Test
    @Order(2)
    void numbersWithHugeExponentsGetA400() throws Exception {
        for (String body : List.of(
                "{\"client\":\"exp\",\"location\":\"+1+1\",\"time\":1e300000000}",
                "{\"client\":\"exp\",\"location\":\"+1+1\",\"time\":1e-300000000}",
                "{\"client\":\"exp\",\"location\":\"+1+1\",\"time\":" + "9".repeat(100_000) + "}")) {
            HttpClientSupport.HttpAnswer r = HttpClientSupport.send("POST", herd.httpPort("Alford"), "/v1/locations", body);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().at("/error/status").asInt()).isEqualTo(400);
        }
        HttpClientSupport.HttpAnswer place = HttpClientSupport.send("POST", herd.httpPort("Alford"), "/v1/places",
                "{\"name\":\"x\",\"lat\":1e300000000,\"lng\":0,\"prominence\":1e300000000}");
        assertThat(place.status()).isEqualTo(400);
        assertThat(place.json().at("/error/message").asText()).contains("out of range");
        assertServing("Alford");
    }

    @Test
    @Order(3)
    void unknownPathsAndMethodsAddNoMetrics() throws Exception {
        int port = herd.httpPort("Alford");
        HttpClientSupport.get(port, "/no/such/path");
        HttpClientSupport.send("PATCH", port, "/v1/locations", "{}");
        HttpClientSupport.send("PATCH", port, "/v1/places/x/deeper/1", null);
        HttpClientSupport.get(port, "/metrics");
        String before = HttpClientSupport.get(port, "/metrics").body();
        for (int i = 0; i < 5000; i++) {
            HttpClientSupport.get(port, "/attack/" + i + "?x=" + i);
            if (i % 10 == 0) {
                HttpClientSupport.send(i % 20 == 0 ? "PATCH" : "TRACE", port, "/v1/places/p" + i + "/deeper/" + i, null);
            }
        }
        String after = HttpClientSupport.get(port, "/metrics").body();
        assertThat(series(after)).containsExactlyInAnyOrderElementsOf(series(before));
        assertThat((double) after.length()).isLessThan(before.length() * 1.05);
        ReliabilityFigures.record(String.format("metrics: 5,500 requests to unknown paths and methods; /metrics %d -> %d bytes, "
                + "%d series before and after", before.length(), after.length(), series(after).size()));
    }

    /** The herd's series of a scrape: metric names with their labels, without values and histogram buckets. */
    private static Set<String> series(String scrape) {
        return scrape.lines().filter(l -> l.startsWith("herd_"))
                .map(l -> l.substring(0, l.lastIndexOf(' ')).replaceAll(",?le=\"[^\"]*\"", ""))
                .collect(Collectors.toSet());
    }

    @Test
    @Order(4)
    void unfinishedLinesAndRequestsGetAShortDeadline() throws Exception {
        long t0 = System.nanoTime();
        String line = trickle(herd.tcpPort("Alford"), "IAMAT slow-loris +1+1", "1");
        assertThat(line).isEqualTo("ERROR timeout line not finished within 1000 ms\n");
        String http = trickle(herd.httpPort("Alford"), "GET /health HTTP/1.1\r\nHost: herd\r\n", "X");
        assertThat(http).startsWith("HTTP/1.1 408 ").contains("request not finished within 1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(12));
        assertServing("Alford");
    }

    /** Sends {@code start}, then one byte every 200 ms, never ending the line; returns what came back before EOF. */
    private static String trickle(int port, String start, String drip) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            s.setSoTimeout(200);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(start.getBytes(StandardCharsets.US_ASCII));
            StringBuilder got = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            byte[] buf = new byte[4096];
            while (System.nanoTime() < deadline) {
                try {
                    out.write(drip.getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    // the node closed its side: read what it said
                }
                try {
                    int n = in.read(buf);
                    if (n < 0) {
                        return got.toString();
                    }
                    got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
                } catch (SocketTimeoutException e) {
                    // nothing yet: drip again
                } catch (IOException reset) {
                    return got.toString();
                }
            }
            throw new AssertionError("still open after 6 s; got: " + got);
        }
    }

    @Test
    @Order(5)
    void theLogStaysUnderItsCapAfterMoreTrafficThanTheCap() throws Exception {
        Path logs = herd.config().logsDir();
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        long sent = 0;
        try (LineClient c = client("Alford")) {
            for (int round = 0; round < 100; round++) {
                // invalid commands with random ids: their echoes compress badly, so the disk fills for real
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < 500; i++) {
                    lines.append("WHATSAT ").append(Long.toString(random.nextLong(), 36)).append(Long.toString(random.nextLong(), 36))
                            .append(Long.toString(random.nextLong(), 36)).append(" 0 0\n");
                }
                c.send(lines.toString());
                sent += 2L * lines.length();
                for (int i = 0; i < 500; i++) {
                    assertThat(c.readLine()).startsWith("? WHATSAT ");
                }
            }
        }
        assertThat(sent).isGreaterThan(2 * LOG_TOTAL_MAX);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(logBytes(logs, "Alford"))
                .isLessThanOrEqualTo(LOG_TOTAL_MAX));
        try (Stream<Path> files = Files.list(logs)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("Alford.log.")))
                    .isNotEmpty().allMatch(n -> n.endsWith(".gz"));
        }
        assertThat(metric(metrics("Alford"), "herd_log_dropped_lines_total")).isZero();
        ReliabilityFigures.record(String.format("log: 50,000 invalid lines with random ids and their echoes (%d KiB of traffic) with "
                + "log.total.max.bytes=%d: %d bytes of log files on disk", sent >> 10, LOG_TOTAL_MAX, logBytes(logs, "Alford")));
        assertServing("Alford");
    }

    private static long logBytes(Path logs, String node) throws IOException {
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(p -> p.getFileName().toString().startsWith(node + ".log"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    @Order(6)
    void aThousandClientsThatPipelineWhatsatsAndNeverReadCannotWedgeTheNode() throws Exception {
        int n = FLOOD;
        try (LineClient c = client("Alford")) {
            assertThat(c.ask("IAMAT flood-target +10+10 1")).startsWith("AT ");
        }
        byte[] chunk = "WHATSAT flood-target 50 20\n".repeat(2400).getBytes(StandardCharsets.US_ASCII); // 64 KiB
        List<SocketChannel> flood = new ArrayList<>();
        long offered = 0;
        long accepted = 0;
        int closedByNode = 0;
        try (Sampler sampler = new Sampler("Alford")) {
            for (int i = 0; i < n; i++) {
                SocketChannel ch = connectFrom("127.0.1." + (1 + i / PER_ADDRESS), herd.tcpPort("Alford"));
                ch.configureBlocking(false);
                flood.add(ch);
            }
            // write until every connection is stuck (the node stopped reading) or closed by the node
            try (Selector selector = Selector.open()) {
                for (SocketChannel ch : flood) {
                    ch.register(selector, SelectionKey.OP_WRITE);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                while (!selector.keys().isEmpty() && System.nanoTime() < deadline) {
                    // a connection not writable for 3 s is one the node has stopped reading from
                    if (selector.select(3000) == 0) {
                        break;
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        try {
                            int w = ((SocketChannel) key.channel()).write(ByteBuffer.wrap(chunk));
                            offered += chunk.length;
                            accepted += w;
                            long mine = (key.attachment() == null ? 0 : (Long) key.attachment()) + w;
                            key.attach(mine);
                            if (mine > 4 << 20) {
                                key.interestOps(0); // enough: 4 MiB a connection fills any buffer the node keeps
                            }
                        } catch (IOException e) {
                            key.cancel();
                            closedByNode++;
                        }
                    }
                    selector.selectedKeys().clear();
                }
            }
            // meanwhile, another client is still served: its command waits its turn behind the
            // flood's (connection.max.pipelined each), so give it a minute
            long bystanderStart = System.nanoTime();
            try (Socket other = new Socket("127.0.0.1", herd.tcpPort("Alford"))) {
                other.setSoTimeout(60_000);
                other.getOutputStream().write("IAMAT bystander +10+10 1\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(other.getInputStream().readNBytes(9), StandardCharsets.US_ASCII)).isEqualTo("AT Alford");
            }
            long bystanderMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bystanderStart);
            for (SocketChannel ch : flood) {
                ch.close();
            }
            assertServing("Alford");
            sampler.assertBounded();
            String m = metrics("Alford");
            double evicted = metric(m, "herd_connections_closed_total", "reason=\"output_budget\"");
            double stalled = metric(m, "herd_connections_closed_total", "reason=\"output_stalled\"");
            assertThat(metric(m, "herd_output_pending_bytes")).isLessThanOrEqualTo(32 << 20);
            ReliabilityFigures.record(String.format("flood: %d connections pipelining WHATSATs, never reading; sockets took %d MiB; "
                            + "closed by the node: %d (output budget %.0f, stalled %.0f); node heap peak %d MiB of %d, "
                            + "RSS peak %d MiB; a new client during the flood answered in %d ms; /health and WHATSAT "
                            + "answered after", n, accepted >> 20, closedByNode, evicted, stalled,
                    (long) sampler.heapPeak >> 20, (long) sampler.heapMax >> 20, sampler.rssPeakKb >> 10, bystanderMillis));
        } finally {
            for (SocketChannel ch : flood) {
                ch.close();
            }
        }
    }

    @Test
    @Order(7)
    void connectionsUpToTheCapAreHeldAndOneAddressCannotTakeThemAll() throws Exception {
        int port = herd.tcpPort("Alford");
        // the flood's connections go once the node has served the WHATSATs they had queued
        // (connection.max.pipelined each, up to 32,000): it does not read from them meanwhile, so it sees
        // their close only when it answers, or closes them as stalled (connection.output.stall.timeout.ms);
        // on a busy 2-core machine that took over 30 s once
        long drainStart = System.nanoTime();
        await().atMost(Duration.ofSeconds(300)).ignoreExceptions().until(() ->
                metric(metrics("Alford"), "herd_connections", "protocol=\"line\"") == 0);
        ReliabilityFigures.record(String.format("flood: the node had let go of the flood's 1000 connections %.1f s after the clients closed",
                (System.nanoTime() - drainStart) / 1e9));
        List<SocketChannel> idle = new ArrayList<>();
        try (Sampler sampler = new Sampler("Alford")) {
            for (int i = 0; i < PER_ADDRESS; i++) {
                idle.add(connectFrom("127.0.0.10", port));
            }
            // connections are taken up by two I/O threads, not always in the order they came: wait for all
            awaitLineConnections(PER_ADDRESS);
            assertThat(refusal(connectFrom("127.0.0.10", port)))
                    .isEqualTo("ERROR busy too many connections from this address");
            for (int a = 11; idle.size() < MAX_CONNECTIONS; a++) {
                for (int i = 0; i < PER_ADDRESS && idle.size() < MAX_CONNECTIONS; i++) {
                    idle.add(connectFrom("127.0.2." + a, port));
                }
            }
            awaitLineConnections(MAX_CONNECTIONS);
            assertThat(refusal(connectFrom("127.0.0.99", port))).isEqualTo("ERROR busy too many connections");
            // the connections held are real: the last one is served
            SocketChannel last = idle.get(idle.size() - 1);
            last.write(ByteBuffer.wrap("IAMAT idle-last +10+10 1\n".getBytes(StandardCharsets.US_ASCII)));
            last.socket().setSoTimeout(10_000);
            try (InputStream in = last.socket().getInputStream()) {
                assertThat(new String(in.readNBytes(9), StandardCharsets.US_ASCII)).isEqualTo("AT Alford");
            }
            assertThat(health(herd.httpPort("Alford"))).isEqualTo(200);
            sampler.assertBounded();
            ReliabilityFigures.record(String.format("idle: %d connections held (connection.max), %d per address; one more refused; "
                            + "node heap peak %d MiB of %d, RSS peak %d MiB", MAX_CONNECTIONS, PER_ADDRESS,
                    (long) sampler.heapPeak >> 20, (long) sampler.heapMax >> 20, sampler.rssPeakKb >> 10));
        } finally {
            for (SocketChannel ch : idle) {
                ch.close();
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() ->
                metric(metrics("Alford"), "herd_connections", "protocol=\"line\"") == 0);
        assertServing("Alford");
    }

    private void awaitLineConnections(int n) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                metric(metrics("Alford"), "herd_connections", "protocol=\"line\"") == n);
    }

    /** The line a refused connection is told before the node closes it. */
    private static String refusal(SocketChannel ch) throws IOException {
        try (ch) {
            ch.socket().setSoTimeout(30_000);
            byte[] all = ch.socket().getInputStream().readAllBytes();
            return new String(all, StandardCharsets.US_ASCII).trim();
        }
    }

    @Test
    @Order(8)
    void transactionalProducersNeitherStallReadsNorStarts() throws Exception {
        try (LineClient c = client("Alford")) {
            assertThat(c.ask("IAMAT tx-client +20+20 1")).startsWith("AT ");
        }
        Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers(),
                "transactional.id", "news-connector-1");
        try (KafkaProducer<String, byte[]> tx = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("herd.places", "tx:committed", Json.encode(new Place("tx:committed",
                    "Committed news", 20.001, 20, "", List.of("news"), 5, null))));
            tx.commitTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("herd.places", "tx:aborted", Json.encode(new Place("tx:aborted",
                    "Aborted news", 20.002, 20, "", List.of("news"), 5, null))));
            tx.flush();
            tx.abortTransaction();
        }
        try (KafkaProducer<String, byte[]> plain = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            plain.send(new ProducerRecord<>("herd.locations", "junk", "not json".getBytes(StandardCharsets.UTF_8))).get();
        }
        for (String node : NODES) {
            try (LineClient c = client(node)) {
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    String reply = c.whatsat("WHATSAT tx-client 5 20");
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    assertThat(reply).contains("tx:committed").doesNotContain("tx:aborted");
                    // the freshness timeout is 3000 ms: a read that waited it out would show
                    assertThat(ms).as("WHATSAT after a transaction, ms").isLessThan(1500);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(metrics(node), "herd_skipped_records_total",
                    "topic=\"herd.locations\"", "reason=\"not_decodable\"") >= 1);
        }
        // a node started after the transaction markers catches up and serves
        herd.stop("Ball");
        long t0 = System.nanoTime();
        herd.start("Ball");
        ReliabilityFigures.record(String.format("transactions: reads after a committed and an aborted transaction answered under 1.5 s "
                + "(freshness timeout 3 s); a node restarted afterwards served in %d s",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)));
        assertServing("Ball");
    }

    @Test
    @Order(9)
    void writesPastTheInFlightLimitAreRefusedAtOnceAndNeverPublished() throws Exception {
        broker.kill9();
        List<String> busy = new ArrayList<>();
        int unavailable = 0;
        List<LineClient> writers = new ArrayList<>();
        try {
            for (int w = 0; w < 4; w++) {
                LineClient c = client("Alford");
                writers.add(c);
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < 30; i++) { // within connection.max.pipelined: all start at once
                    lines.append("IAMAT outage-").append(w).append('-').append(i).append(" +10+10 5\n");
                }
                c.send(lines.toString());
            }
            // while the first writes wait for Kafka, an HTTP write is refused at once too
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> metric(metrics("Alford"), "herd_writes_in_flight") == WRITES_IN_FLIGHT);
            long t0 = System.nanoTime();
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + herd.httpPort("Alford") + "/v1/locations"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"client\":\"outage-http\",\"location\":\"+10+10\",\"time\":\"5\"}"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(503);
            assertThat(post.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(post.body()).contains("too many writes in flight");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            for (int w = 0; w < 4; w++) {
                for (int i = 0; i < 30; i++) {
                    String reply = writers.get(w).readLine();
                    assertThat(reply).as("reply %d on connection %d", i, w).isNotNull();
                    if (reply.startsWith("ERROR busy ")) {
                        assertThat(reply).isEqualTo("ERROR busy IAMAT outage-" + w + "-" + i + " +10+10 5");
                        busy.add("outage-" + w + "-" + i);
                    } else {
                        assertThat(reply).startsWith("ERROR unavailable IAMAT outage-");
                        unavailable++;
                    }
                }
            }
        } finally {
            for (LineClient c : writers) {
                c.close();
            }
        }
        assertThat(unavailable).isLessThanOrEqualTo(WRITES_IN_FLIGHT);
        assertThat(busy).hasSizeGreaterThanOrEqualTo(120 - WRITES_IN_FLIGHT);
        broker.start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            try (LineClient c = client("Alford")) {
                assertThat(c.ask("IAMAT after-outage +10+10 6")).startsWith("AT Alford ");
            }
        });
        try (LineClient c = client("Ball")) {
            assertThat(c.whatsat("WHATSAT after-outage 1 1")).startsWith("AT Alford ");
            for (String client : busy.subList(0, 20)) {
                // refused as busy: never published, so no node has heard of it
                assertThat(c.whatsat("WHATSAT " + client + " 1 1")).isEqualTo("? WHATSAT " + client + " 1 1");
            }
        }
        ReliabilityFigures.record(String.format("outage: 120 IAMATs while the broker was down, write.inflight.max=%d: %d ERROR busy at once, "
                + "%d ERROR unavailable after the write timeout; none of the busy ones published", WRITES_IN_FLIGHT,
                busy.size(), unavailable));
        assertServing("Alford");
    }

    @Test
    @Order(10)
    void beforeItsReplicaExistsANodeAnswers503WithRetryAfter() throws Exception {
        int nowhere = ChildJvm.freePort(); // no broker there: the node cannot build its replica
        try (NodeProcesses unready = new NodeProcesses(dir.resolve("unready"), "127.0.0.1:" + nowhere,
                List.of("Holiday"), Map.of())) {
            unready.startWithoutWaiting("Holiday");
            int port = unready.httpPort("Holiday");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> health(port) == 503);
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/v1/locations"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"client\":\"early\",\"location\":\"+1+1\",\"time\":\"1\"}"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(503);
            assertThat(post.headers().firstValue("Retry-After")).hasValue("1");
            HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/v1/locations/early")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(503);
            assertThat(get.headers().firstValue("Retry-After")).hasValue("1");
        }
    }
}
