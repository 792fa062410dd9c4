package org.herd.node;

import org.herd.node.fixtures.HttpClientSupport;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.LineOracle;
import org.herd.node.fixtures.ReliabilityFigures;
import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.TestHerd;
import org.herd.node.config.Settings;
import org.herd.node.telemetry.TrafficLog;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What clients can throw at a node: many thousands of malformed, truncated, overlong, binary and
 * borderline lines; clients that never read; idle clients; thousands of connections. The node
 * must answer each line as docs/protocol.md says, stay up, and keep its memory bounded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AbuseIT {
    private static final int FUZZ_LINES = 20_000;
    private static final Pattern AT_LINE = Pattern.compile("AT Alford [+-][0-9]+\\.[0-9]{9} (\\S+) (\\S+) (\\S+)");

    private TestHerd herd;

    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford")
            // thousands of connections from one address: the per-address cap has its own test (HostileClientsIT)
            .with("connection.max.per.address", "5000")
            .places(new org.herd.stream.model.Place("gn:1", "Somewhere", 10, 10, "", List.of("locality"), 1, null));

    @BeforeAll
    void theHerd() {
        herd = HERD.herd();
    }

    private static long heapUsedAfterGc() {
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }

    private static long heapPeak() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    // --- fuzz ----------------------------------------------------------------------------------

    private static final String[] NASTY = {"\u0000", "\r", "\t", " ", "NaN", "1e309", "-0", "+", "-", ".", "..",
            "\u00a0", "\ufeff", "é", "\u2028", "１", "∞", "\u202e", "\\", "\"", "%s", "Infinity"};

    private static byte[] mutate(String valid, Random r) {
        byte[] b = valid.getBytes(StandardCharsets.UTF_8);
        switch (r.nextInt(9)) {
            case 0: // truncate
                return java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 1: { // insert a nasty token
                int at = r.nextInt(valid.length() + 1);
                return (valid.substring(0, at) + NASTY[r.nextInt(NASTY.length)] + valid.substring(at))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 2: { // a raw byte that may break UTF-8
                byte[] out = java.util.Arrays.copyOf(b, b.length + 1);
                int at = r.nextInt(out.length);
                System.arraycopy(b, at, out, at + 1, b.length - at);
                out[at] = (byte) (0x80 + r.nextInt(0x80));
                return out;
            }
            case 3: // Latin-1 instead of UTF-8
                return (valid + " café").getBytes(StandardCharsets.ISO_8859_1);
            case 4: { // drop a field
                String[] f = valid.split(" ");
                List<String> kept = new ArrayList<>(List.of(f));
                kept.remove(r.nextInt(kept.size()));
                return String.join(" ", kept).getBytes(StandardCharsets.UTF_8);
            }
            case 5: // an extra field
                return (valid + " extra").getBytes(StandardCharsets.UTF_8);
            case 6: // lower-case verb
                return valid.toLowerCase().getBytes(StandardCharsets.UTF_8);
            case 7: { // binary noise, no newline
                byte[] noise = new byte[1 + r.nextInt(64)];
                r.nextBytes(noise);
                for (int i = 0; i < noise.length; i++) {
                    if (noise[i] == '\n') {
                        noise[i] = 'n';
                    }
                }
                return noise;
            }
            default: // odd white space
                return ("\t " + valid.replace(" ", r.nextBoolean() ? "\t" : "   ") + " \t").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String validLine(Random r, List<String> clients) {
        String client = clients.get(r.nextInt(clients.size()));
        if (r.nextInt(3) == 0) {
            String[] radii = {"50", "50.0", "0.0000001", "1", "10.5", "+7", "50.0000001", "0", "-1", "51"};
            String[] counts = {"1", "20", "21", "0", "+5", "05", "5.0", "-3"};
            return "WHATSAT " + client + " " + radii[r.nextInt(radii.length)] + " " + counts[r.nextInt(counts.length)];
        }
        String[] lats = {"+90", "-90", "+90.0000001", "-90.00000000000000000001", "+34.068930", "+0", "-0.5", "+123"};
        String[] lngs = {"+180", "-180", "+180.0000001", "-118.445127", "+0", "+179.99999", "-181"};
        String[] times = {"1621464827.959498503", "1621464827.9594985031", "0", "-0", "+5", "1e9", "NaN", "1.", ".5",
                String.valueOf(r.nextInt(2_000_000_000))};
        return "IAMAT " + client + " " + lats[r.nextInt(lats.length)] + lngs[r.nextInt(lngs.length)] + " "
                + times[r.nextInt(times.length)];
    }

    @Test
    void everyLineGetsTheDocumentedReplyAndTheNodeStaysUp() throws Exception {
        Random r = new Random(20261126);
        int connections = 4;
        List<List<byte[]>> perConnection = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            // each connection has clients of its own, so what it knows depends only on its own lines
            List<String> clients = List.of("fuzz-a" + c, "fuzz-b" + c, "x".repeat(255) + c, "x".repeat(256) + c,
                    "naïve-ü" + c, "a\u0000b" + c, "tab\tbed" + c);
            List<byte[]> lines = new ArrayList<>();
            for (int i = 0; i < FUZZ_LINES / connections; i++) {
                int kind = r.nextInt(20);
                if (kind < 6) {
                    lines.add(validLine(r, clients).getBytes(StandardCharsets.UTF_8));
                } else if (kind < 17) {
                    lines.add(mutate(validLine(r, clients), r));
                } else if (kind < 18) {
                    lines.add(("IAMAT " + "y".repeat(r.nextInt(6000)) + " +1+1 1").getBytes(StandardCharsets.UTF_8));
                } else if (kind < 19) {
                    lines.add(" \t ".substring(r.nextInt(3)).getBytes(StandardCharsets.UTF_8));
                } else {
                    lines.add(("WHATSAT fuzz-a" + c + " 1 1\r").getBytes(StandardCharsets.UTF_8));
                }
            }
            perConnection.add(lines);
        }
        long heapBefore = heapUsedAfterGc();
        List<CompletableFuture<int[]>> results = new ArrayList<>();
        for (List<byte[]> mine : perConnection) {
            results.add(CompletableFuture.supplyAsync(() -> fuzzOneConnection(mine)));
        }
        int[] totals = new int[4];
        for (CompletableFuture<int[]> f : results) {
            int[] t = f.join();
            for (int i = 0; i < totals.length; i++) {
                totals[i] += t[i];
            }
        }
        long heapAfter = heapUsedAfterGc();
        try (LineClient c = herd.client("Alford")) {
            assertThat(c.ask("IAMAT still-up +1+1 1")).startsWith("AT Alford ");
        }
        ReliabilityFigures.record(String.format("fuzz: lines=%d invalid=%d at=%d whatsat=%d blank=%d heap-after-gc-before=%dMiB after=%dMiB",
                FUZZ_LINES, totals[0], totals[1], totals[2], totals[3], heapBefore >> 20, heapAfter >> 20));
        assertThat(totals[0]).isGreaterThan(FUZZ_LINES / 2);
        assertThat(totals[1]).isGreaterThan(100);
        assertThat(totals[2]).isGreaterThan(100);
    }

    /** Sends the lines pipelined from one thread and checks each reply in order from another. */
    private int[] fuzzOneConnection(List<byte[]> lines) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", herd.node("Alford").tcpPort()));
            s.setSoTimeout(30_000);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    var out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
                    for (byte[] line : lines) {
                        out.write(line);
                        out.write('\n');
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            Set<String> known = new HashSet<>();
            int[] counts = new int[4];
            for (byte[] line : lines) {
                LineOracle.Expected e = LineOracle.expect(line, known);
                switch (e.kind()) {
                    case NONE -> counts[3]++;
                    case INVALID -> {
                        byte[] expected = new byte[e.content().length + 2];
                        expected[0] = '?';
                        expected[1] = ' ';
                        System.arraycopy(e.content(), 0, expected, 2, e.content().length);
                        assertThat(readLine(in)).as("reply to %s", TrafficLog.escape(line)).isEqualTo(expected);
                        counts[0]++;
                    }
                    case AT -> {
                        String at = new String(readLine(in), StandardCharsets.UTF_8);
                        var m = AT_LINE.matcher(at);
                        assertThat(m.matches()).as("AT reply to %s: %s", TrafficLog.escape(line), at).isTrue();
                        assertThat(new String[] {m.group(1), m.group(2), m.group(3)})
                                .containsExactly(e.fields()[1], e.fields()[2], e.fields()[3]);
                        known.add(e.fields()[1]);
                        counts[1]++;
                    }
                    case WHATSAT -> {
                        String at = new String(readLine(in), StandardCharsets.UTF_8);
                        assertThat(at).as("WHATSAT reply to %s", TrafficLog.escape(line)).startsWith("AT ");
                        assertThat(at.split(" ")[3]).isEqualTo(e.fields()[1]);
                        byte[] json;
                        int lineCount = 0;
                        while ((json = readLine(in)).length > 0) {
                            lineCount++;
                        }
                        assertThat(lineCount).isGreaterThan(2);
                        counts[2]++;
                    }
                }
            }
            sending.join();
            return counts;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new IOException("connection closed");
            }
            buf.write(b);
        }
        return buf.toByteArray();
    }

    // --- slow, idle and many clients -------------------------------------------------------------

    @Test
    void aClientThatNeverReadsIsHeldBackAndOthersAreStillServed() throws Exception {
        try (LineClient c = herd.client("Alford")) {
            c.ask("IAMAT slow-reader +10+10 1");
        }
        byte[] line = "WHATSAT slow-reader 50 20\n".getBytes(StandardCharsets.US_ASCII);
        long accepted = 0;
        long offered = 0;
        try (SocketChannel slow = SocketChannel.open(new InetSocketAddress("127.0.0.1", herd.node("Alford").tcpPort()))) {
            slow.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(line.length * 1000);
            for (int i = 0; i < 1000; i++) {
                chunk.put(line);
            }
            long stuckSince = 0;
            while (offered < 400L * 1000 * line.length) {
                chunk.rewind();
                int n = slow.write(chunk);
                accepted += n;
                offered += chunk.capacity();
                if (n > 0) {
                    stuckSince = 0;
                } else if (stuckSince == 0) {
                    stuckSince = System.nanoTime();
                } else if (System.nanoTime() - stuckSince > 2_000_000_000L) {
                    break; // the node has stopped reading from this client
                }
                Thread.onSpinWait();
            }
            assertThat(accepted).as("bytes the node took from a client that reads nothing").isLessThan(offered);
            String pending = HttpClientSupport.get(herd.node("Alford").httpPort(), "/metrics").body().lines()
                    .filter(l -> l.startsWith("herd_line_pending_replies")).findFirst().orElseThrow();
            double pendingReplies = Double.parseDouble(pending.substring(pending.lastIndexOf(' ') + 1));
            // commands start only while fewer than connection.max.pipelined are in flight; lines already
            // read wait unstarted, and nothing more is read
            assertThat(pendingReplies).isLessThanOrEqualTo(herd.config().get(Settings.CONNECTION_MAX_PIPELINED));
            try (LineClient other = herd.client("Alford")) {
                assertThat(other.ask("IAMAT other-client +1+1 1")).startsWith("AT Alford ");
            }
            ReliabilityFigures.record(String.format("slow-reader: offered=%dKiB accepted-before-backpressure=%dKiB pending-replies=%.0f heap-peak=%dMiB",
                    offered >> 10, accepted >> 10, pendingReplies, heapPeak() >> 20));
        }
    }

    @Test
    void thousandsOfConnectionsAreHeldAndServed() throws Exception {
        int n = 2000;
        List<LineClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                open.add(herd.client("Alford"));
            }
            for (int i = 0; i < n; i++) {
                open.get(i).send("IAMAT many-" + i + " +1+1 1\n");
            }
            for (int i = 0; i < n; i++) {
                assertThat(open.get(i).readLine()).startsWith("AT Alford ");
            }
            for (int i = 0; i < n; i += 100) {
                assertThat(open.get(i).whatsat("WHATSAT many-" + i + " 1 1")).startsWith("AT Alford ");
            }
            ReliabilityFigures.record(String.format("connections: held=%d all-answered=true heap-peak=%dMiB", n, heapPeak() >> 20));
        } finally {
            for (LineClient c : open) {
                c.close();
            }
        }
    }

    @Test
    void connectionLimitAndIdleTimeoutAreEnforced() throws Exception {
        try (TestHerd limited = new TestHerd(HERD.kafka().bootstrapServers(), HERD.dir().resolve("limited"),
                Map.of("connection.max", "20", "connection.idle.timeout.ms", "500")).start("Ball")) {
            List<LineClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    LineClient c = limited.client("Ball");
                    open.add(c);
                    assertThat(c.ask("IAMAT limit-" + i + " +1+1 1")).startsWith("AT Ball ");
                }
                try (LineClient extra = limited.client("Ball")) {
                    assertThat(extra.readToEnd()).isEqualTo("ERROR busy too many connections\n");
                }
                // with nothing pending, each of them is closed after 500 ms of silence
                for (LineClient c : open) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> c.readLine() == null);
                }
            } finally {
                for (LineClient c : open) {
                    c.close();
                }
            }
            // the log is written by a thread of its own: wait for it
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(Files.readString(limited.logFile("Ball"))).contains("idle timeout").contains("refused"));
        }
    }
}
