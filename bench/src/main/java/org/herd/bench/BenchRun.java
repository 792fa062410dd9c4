package org.herd.bench;

import org.herd.node.LoadLocations;
import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One run of the bench: its options, the herd it drives (configuration, nodes, CPU meter), the
 * figures gathered so far (results and table, the producer baseline) and the helpers every phase
 * uses (settle, rows, formats). Phases and the shared measures take it.
 */
final class BenchRun {
    /**
     * The bench's client times count up from here, in the past: a node refuses client times more
     * than a day ahead of its clock (docs/protocol.md), and a later run's are newer than this one's.
     */
    static final long T0 = System.currentTimeMillis() / 1000;
    static final long RUN = System.currentTimeMillis();

    // the options (HerdBench); seconds and whatsatRate change while a warm-up or the one-core phase runs
    int seconds;
    final int connections;
    final int window;
    final int knownClients;
    int whatsatRate;
    final int warmupSeconds;
    final int ingestOpenRate;
    final boolean noBaseline;
    final List<Integer> ingestNodes;
    final List<Integer> herdSizes;
    final List<Integer> coreFences;

    /** Load generators running in the background (propagation under load); joined when stopped. */
    final List<Thread> background = new ArrayList<>();
    final HerdConfig config;
    final CpuMeter cpu;
    final List<String> nodes;
    /** The nodes running now: all of them, but while the herd-size or one-core phase has stopped some. */
    List<String> running;
    /** Every figure by key, written as JSON beside the table. */
    final Map<String, Object> results = new LinkedHashMap<>();
    /** The Markdown table of the run, a row per measure. */
    final StringBuilder table = new StringBuilder();
    /** CPU per record of the raw producer baseline: producer (this JVM) plus broker. */
    long baselineCpuMicros;
    /** Records per second of the raw producer baseline; NaN when it was not measured. */
    double baselineRate = Double.NaN;
    final HttpClient http = HttpClient.newHttpClient();
    /** Appended to the labels (and JSON keys) of the core rows: which fences the herd held when they were measured. */
    String coreContext = "";

    final Loads loads = new Loads(this);
    final ClientMeasures clientMeasures = new ClientMeasures(this);
    final FenceMeasures fenceMeasures = new FenceMeasures(this);

    BenchRun(HerdBench options) throws IOException {
        this.seconds = options.seconds;
        this.connections = options.connections;
        this.window = options.window;
        this.knownClients = options.knownClients;
        this.whatsatRate = options.whatsatRate;
        this.warmupSeconds = options.warmupSeconds;
        this.ingestOpenRate = options.ingestOpenRate;
        this.noBaseline = options.noBaseline;
        this.ingestNodes = options.ingestNodes;
        this.herdSizes = options.herdSizes;
        this.coreFences = options.coreFences;
        this.config = HerdConfig.load(options.configFile, System.getenv());
        this.nodes = config.nodes();
        this.running = nodes;
        List<String> processes = new ArrayList<>(nodes);
        processes.add("broker");
        this.cpu = new CpuMeter(Path.of("run", "pids"), processes);
        table.append("| measure | herd | baseline (Kafka, Redis) | ratio |\n|---|---|---|---|\n");
    }

    // --- phases ----------------------------------------------------------------------------------

    /**
     * Makes sure the herd holds the known clients the phases query ({@code load-<i>.example} at
     * the points {@code LoadLocations} gives them): the first and the last of them must be there,
     * not only as many clients (a herd full of other clients would answer every query empty).
     */
    void ensureKnownClients() throws Exception {
        long known = status(nodes.get(0)).path("clientsEstimate").asLong();
        boolean present = knownClients == 0 || (knownClient(0) && knownClient(knownClients - 1));
        if (known < knownClients * 0.9 || !present) {
            System.out.printf("loading %,d clients (the herd knows about %,d)...%n", knownClients, known);
            LoadLocations.publish(config, knownClients, knownClients, 7);
        }
        awaitCaughtUp();
    }

    boolean knownClient(int i) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.httpPort(nodes.get(0))
                + "/v1/locations/load-" + i + ".example")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    void awaitCaughtUp() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        for (String n : running) {
            while (true) {
                JsonNode lag = status(n).path("lag");
                long total = 0;
                for (JsonNode v : lag) {
                    total += v.asLong();
                }
                if (total == 0 && lag.size() > 0) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(n + " did not catch up");
                }
                Thread.sleep(500); // polling the node's status
            }
        }
    }

    /**
     * Waits until the herd is quiet before a measured phase: every node caught up with the topics
     * and the herd's processes together using less than 40% of one core (an idle herd of five
     * nodes and a broker uses about 25%; RocksDB compacts for a while after heavy ingest, and a
     * phase measured meanwhile measures the previous one too).
     */
    void settle() throws Exception {
        awaitCaughtUp();
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Map<String, Long> before = cpu.snapshot();
            Thread.sleep(1000); // sampling the herd's CPU use over one second
            long busy = CpuMeter.used(before, cpu.snapshot()).entrySet().stream()
                    .filter(e -> !e.getKey().equals("bench")).mapToLong(e -> e.getValue().toMillis()).sum();
            if (busy < 400) {
                break;
            }
        }
        System.out.printf("(herd quiet after %.0f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    /** CPU microseconds per operation, by process, between two snapshots. */
    Map<String, Long> cpuPerOp(Map<String, Long> before, long ops) {
        Map<String, Long> m = new LinkedHashMap<>();
        CpuMeter.used(before, cpu.snapshot()).forEach((name, d) -> m.put(name, ops == 0 ? 0 : d.toNanos() / 1000 / ops));
        return m;
    }

    static Map<String, Long> without(Map<String, Long> m, String process) {
        Map<String, Long> copy = new LinkedHashMap<>(m);
        copy.remove(process);
        return copy;
    }

    static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The baselines' topic, of the same shape as the herd's, created if missing. */
    String baselineTopic() throws Exception {
        return scratchTopic("herd.bench.baseline", config.get(Settings.TOPICS_PARTITIONS));
    }

    String scratchTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(config.kafkaClientSettings())) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions,
                        config.get(Settings.TOPICS_REPLICATION_FACTOR).shortValue()))).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return topic;
    }

    static Location location(String client, long i, String node) {
        double lat = (i * 7 % 1600) / 10.0 - 80;
        double lng = (i * 13 % 3400) / 10.0 - 170;
        String loc = String.format("%+.6f%+.6f", lat, lng);
        String time = (T0 - 250_000_000L + i) + ".123456789";
        return Location.withSkew(client, loc, lat, lng, time, node, "+0.000100000");
    }

    /** Stops every node but the first {@code k} (then a whole herd); returns the stopped ones. */
    List<String> keepOnly(int k) throws Exception {
        List<String> stopped = nodes.subList(k, nodes.size());
        for (String n : stopped) {
            herdScript("stop", n);
        }
        running = nodes.subList(0, k);
        return stopped;
    }

    /** Starts {@code stopped} again, all at once, and waits until each serves. */
    void restart(List<String> stopped) throws Exception {
        running = nodes;
        List<Process> starting = new ArrayList<>();
        for (String n : stopped) {
            starting.add(new ProcessBuilder("scripts/herd", "start", n).inheritIO().start());
        }
        for (Process p : starting) {
            p.waitFor();
        }
    }

    static void herdScript(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("scripts/herd"));
        cmd.addAll(List.of(args));
        int rc = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + rc);
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    JsonNode status(String node) throws Exception {
        return admin(node, "GET", "/admin/status");
    }

    JsonNode admin(String node, String method, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.adminPort(node) + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return Json.MAPPER.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
    }

    void row(String measure, String herd, String kafka, String ratio) {
        table.append("| ").append(measure).append(" | ").append(herd).append(" | ").append(kafka).append(" | ")
                .append(ratio).append(" |\n");
    }

    static Map<String, Double> latencyMap(Histogram h) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("p50", h.getValueAtPercentile(50) / 1000.0);
        m.put("p99", h.getValueAtPercentile(99) / 1000.0);
        m.put("max", h.getMaxValue() / 1000.0);
        return m;
    }

    static String pcts(Histogram h) {
        return String.format("%.2f / %.2f / %.2f", h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    static String fmt(double v) {
        return String.format("%,.0f", v);
    }

    static String pct(double ratio) {
        return String.format("%.0f%%", ratio * 100);
    }
}
