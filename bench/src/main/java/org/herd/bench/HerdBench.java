package org.herd.bench;

import org.herd.node.LoadLocations;
import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The herd benchmark: drives a running herd (scripts/herd up) over real TCP connections and
 * measures, in the same run, what Kafka itself does on the same broker, so the herd can be
 * stated as a ratio of its engine. Writes a Markdown table and JSON.
 */
@Command(name = "herd-bench", mixinStandardHelpOptions = true, description = "Benchmark a running herd against Kafka's own limits.")
public final class HerdBench implements Callable<Integer> {
    /**
     * The bench's client times count up from here, in the past: a node refuses client times more
     * than a day ahead of its clock (docs/protocol.md), and a later run's are newer than this one's.
     */
    private static final long T0 = System.currentTimeMillis() / 1000;

    @Option(names = "--config", defaultValue = "config/herd.properties")
    Path configFile;
    @Option(names = "--seconds", defaultValue = "10", description = "duration of each throughput phase")
    int seconds;
    @Option(names = "--connections", defaultValue = "32")
    int connections;
    @Option(names = "--window", defaultValue = "32", description = "commands in flight per connection")
    int window;
    @Option(names = "--clients", defaultValue = "1000000", description = "known clients needed for the WHATSAT phase")
    int knownClients;
    @Option(names = "--whatsat-rate", defaultValue = "10000")
    int whatsatRate;
    @Option(names = "--out", defaultValue = "bench/target/performance-run.md")
    Path out;
    @Option(names = "--herd-sizes", split = ",", defaultValue = "1",
            description = "for the herd-size phase: herds to measure ingest with, the other nodes stopped meanwhile (default: ${DEFAULT-VALUE})")
    List<Integer> herdSizes;
    @Option(names = "--phases", split = ",", defaultValue = "ingest,herd-size,iamat-latency,classic,core,propagation,fences,whatsat,clients-near,redis,one-core,rebuild,memory",
            description = "phases to run, comma-separated (default: all): ${DEFAULT-VALUE}")
    List<String> phases;
    @Option(names = "--ingest-nodes", split = ",", description = "node counts to run the ingest phase at (default: 1 and all)")
    List<Integer> ingestNodes;
    @Option(names = "--warmup-seconds", defaultValue = "10",
            description = "load before measuring, so that every JVM has compiled its hot paths (default: ${DEFAULT-VALUE})")
    int warmupSeconds;
    @Option(names = "--ingest-open-rate", defaultValue = "0",
            description = "IAMATs a second offered open-loop after the ingest phase (default: half the measured ingest rate); "
                    + "with phase ingest-open, alone at this rate")
    int ingestOpenRate;
    @Option(names = "--core-fences", split = ",", defaultValue = "0,1000",
            description = "fence counts the core phase measures in turn: ${DEFAULT-VALUE}")
    List<Integer> coreFences;
    @Option(names = "--no-baseline", description = "skip Kafka's own producer baseline (for profiling the herd alone)")
    boolean noBaseline;

    private static final long RUN = System.currentTimeMillis();
    /** Load generators running in the background (propagation under load); joined when stopped. */
    private final List<Thread> background = new ArrayList<>();
    private HerdConfig config;
    private CpuMeter cpu;
    private List<String> nodes;
    /** The nodes running now: all of them, but while the herd-size phase has stopped some. */
    private List<String> running;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final StringBuilder table = new StringBuilder();
    /** CPU per record of the raw producer baseline: producer (this JVM) plus broker. */
    private long baselineCpuMicros;
    /** Records per second of the raw producer baseline; NaN when it was not measured. */
    private double baselineRate = Double.NaN;
    private final HttpClient http = HttpClient.newHttpClient();
    /** Appended to the labels (and JSON keys) of the core rows: which fences the herd held when they were measured. */
    private String coreContext = "";

    public static void main(String[] args) {
        System.exit(new CommandLine(new HerdBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        config = HerdConfig.load(configFile, System.getenv());
        nodes = config.nodes();
        running = nodes;
        List<String> processes = new ArrayList<>(nodes);
        processes.add("broker");
        cpu = new CpuMeter(Path.of("run", "pids"), processes);
        table.append("| measure | herd | baseline (Kafka, Redis) | ratio |\n|---|---|---|---|\n");
        ensureKnownClients();
        warmUp(!noBaseline);

        if (phases.contains("ingest")) {
            settle();
            double raw = noBaseline ? Double.NaN : baselineProducer();
            for (int n : ingestNodes != null ? ingestNodes : List.of(1, nodes.size())) {
                settle();
                IngestRun run = ingest(n);
                double herd = run.load().rate();
                row("IAMAT ingest, " + n + " node" + (n > 1 ? "s" : "") + " (acknowledged updates/s)",
                        fmt(herd), fmt(raw) + " (raw producer)", pct(herd / raw));
                if (n == nodes.size()) {
                    if (!noBaseline) {
                        settle();
                        ingestFloor(herd, run.herdCpu());
                    }
                    settle();
                    ingestOpenLoop(ingestOpenRate > 0 ? ingestOpenRate : herd / 2);
                }
            }
        }
        if (phases.contains("ingest-open") && ingestOpenRate > 0) { // for profiling: not in the default phases
            settle();
            ingestOpenLoop(ingestOpenRate);
        }
        if (phases.contains("herd-size")) {
            // largest first: the nodes measured are never ones just restarted (cold JIT)
            List<Integer> sizes = herdSizes.stream().filter(k -> k >= 1 && k < nodes.size()).distinct()
                    .sorted(java.util.Comparator.reverseOrder()).toList();
            for (int k : sizes) {
                ingestWithSmallerHerd(k);
            }
            if (!sizes.isEmpty()) {
                warmUp(false); // the restarted nodes, before the phases after this one
            }
        }
        if (phases.contains("iamat-latency")) {
            settle();
            iamatLatency(2000);
        }
        if (phases.contains("classic")) {
            for (int n : List.of(1, 10, 50)) {
                settle();
                classicClients(n);
            }
            if (!noBaseline) {
                settle();
                kafkaFloor(nodes.size(), 2);
            }
        }
        if (phases.contains("core")) {
            core(coreFences);
        }
        if (phases.contains("propagation")) {
            settle();
            Histogram kafkaE2e = kafkaEndToEnd(1000);
            Histogram idle = propagation(300, false);
            Histogram loaded = propagation(300, true);
            row("propagation idle, AT to visible at another node: p50 / p99 / max (ms); reads answered stale",
                    pcts(idle) + "; " + results.get("propagationIdleStale"),
                    pcts(kafkaE2e) + " (end-to-end)", String.format("p99 %.1fx", (double) idle.getValueAtPercentile(99) / kafkaE2e.getValueAtPercentile(99)));
            row("propagation under ingest load: p50 / p99 / max (ms); reads answered stale", pcts(loaded) + "; " + results.get("propagationUnderLoadStale"), "", "");
        }
        if (phases.contains("fences")) {
            fences(10_000);
        }
        if (phases.contains("fence-latency")) { // for profiling: not in the default phases
            settle();
            eventLatency("fence event delivery alone, IAMAT to SSE event: p50 / p99 / max (ms)");
        }
        if (phases.contains("whatsat")) {
            whatsat();
        }
        if (phases.contains("clients-near")) {
            clientsNear();
        }
        if (phases.contains("redis")) {
            redis();
        }
        if (phases.contains("one-core")) {
            oneCore();
        }
        if (phases.contains("rebuild")) {
            settle();
            rebuild();
        }
        if (phases.contains("memory")) {
            memory();
        }
        String md = "Run " + Instant.now() + " on " + Runtime.getRuntime().availableProcessors() + " cores ("
                + System.getProperty("os.name") + ", Java " + System.getProperty("java.version") + "); herd of "
                + nodes.size() + " nodes and one broker on the same machine.\n\n" + table;
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md);
        Files.writeString(Path.of(out.toString().replaceAll("\\.md$", "") + ".json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        System.out.println(md);
        return 0;
    }

    // --- phases ----------------------------------------------------------------------------------

    /**
     * Makes sure the herd holds the known clients the phases query ({@code load-<i>.example} at
     * the points {@code LoadLocations} gives them): the first and the last of them must be there,
     * not only as many clients (a herd full of other clients would answer every query empty).
     */
    private void ensureKnownClients() throws Exception {
        long known = status(nodes.get(0)).path("clientsEstimate").asLong();
        boolean present = knownClients == 0 || (knownClient(0) && knownClient(knownClients - 1));
        if (known < knownClients * 0.9 || !present) {
            System.out.printf("loading %,d clients (the herd knows about %,d)...%n", knownClients, known);
            LoadLocations.publish(config, knownClients, knownClients, 7);
        }
        awaitCaughtUp();
    }

    private boolean knownClient(int i) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.httpPort(nodes.get(0))
                + "/v1/locations/load-" + i + ".example")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    private void awaitCaughtUp() throws Exception {
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
     * Load that is not measured: six JVMs that have just started spend much of their CPU compiling
     * their hot paths, which would be measured as the herd's cost otherwise.
     */
    private void warmUp(boolean withBaseline) throws Exception {
        if (warmupSeconds <= 0) {
            return;
        }
        System.out.printf("warming up for %d s...%n", (withBaseline ? 3 : 2) * warmupSeconds);
        int measured = seconds;
        seconds = warmupSeconds;
        try {
            if (withBaseline) {
                baselineProducer(); // its figures are overwritten by the measured run
            }
            ingestLoad(nodes.size(), null);
            whatsatClosedLoop();
        } finally {
            seconds = measured;
        }
    }

    /**
     * Waits until the herd is quiet before a measured phase: every node caught up with the topics
     * and the herd's processes together using less than 40% of one core (an idle herd of five
     * nodes and a broker uses about 25%; RocksDB compacts for a while after heavy ingest, and a
     * phase measured meanwhile measures the previous one too).
     */
    private void settle() throws Exception {
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
    private Map<String, Long> cpuPerOp(Map<String, Long> before, long ops) {
        Map<String, Long> m = new LinkedHashMap<>();
        CpuMeter.used(before, cpu.snapshot()).forEach((name, d) -> m.put(name, ops == 0 ? 0 : d.toNanos() / 1000 / ops));
        return m;
    }

    private static Map<String, Long> without(Map<String, Long> m, String process) {
        Map<String, Long> copy = new LinkedHashMap<>(m);
        copy.remove(process);
        return copy;
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The baselines' topic, of the same shape as the herd's, created if missing. */
    private String baselineTopic() throws Exception {
        return scratchTopic("herd.bench.baseline", config.get(Settings.TOPICS_PARTITIONS));
    }

    private String scratchTopic(String topic, int partitions) throws Exception {
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

    /** Kafka's own producer throughput for the same records, to a topic of the same shape. */
    private double baselineProducer() throws Exception {
        String topic = baselineTopic();
        Map<String, Object> props = new HashMap<>(config.kafkaClientSettings());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        AtomicLong acked = new AtomicLong();
        Map<String, Long> cpu0 = cpu.snapshot();
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            long i = 0;
            while (System.nanoTime() < end) {
                String client = "base-" + (i % 10000);
                byte[] value = Json.encode(location(client, i++, "Alford"));
                p.send(new ProducerRecord<>(topic, client, value), (m, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    }
                });
            }
            p.flush();
        }
        double rate = acked.get() / ((System.nanoTime() - t0) / 1e9);
        Map<String, Long> perRecord = cpuPerOp(cpu0, acked.get());
        baselineCpuMicros = perRecord.getOrDefault("bench", 0L) + perRecord.getOrDefault("broker", 0L);
        baselineRate = rate;
        results.put("baselineProducerPerSecond", Math.round(rate));
        results.put("baselineProducerCpuMicrosPerRecord", perRecord);
        System.out.printf("Kafka producer: %,.0f records/s; CPU µs per record %s%n", rate, perRecord);
        return rate;
    }

    private static Location location(String client, long i, String node) {
        double lat = (i * 7 % 1600) / 10.0 - 80;
        double lng = (i * 13 % 3400) / 10.0 - 170;
        String loc = String.format("%+.6f%+.6f", lat, lng);
        String time = (T0 - 250_000_000L + i) + ".123456789";
        String skew = "+0.000100000";
        return new Location(client, loc, lat, lng, time, node, Location.atLine(node, skew, client, loc, time), skew);
    }

    /** What one load run did. */
    private record Load(long ok, long errors, double seconds, Histogram latency) {
        double rate() {
            return ok / seconds;
        }
    }

    /** Measured ingest at the first {@code n} nodes: rate, latency and CPU per acknowledged update. */
    private IngestRun ingest(int n) throws Exception {
        IngestRun run = measureIngest(n, "ingest" + n + "Nodes", "ingest at " + n + " node(s)");
        row("CPU per acknowledged update at " + n + " node" + (n > 1 ? "s" : "") + ", all herd processes and broker (µs)",
                String.format("%,d", run.herdCpu()), String.format("%,d (producer and broker, per record)", baselineCpuMicros),
                baselineCpuMicros > 0 ? String.format("%.1fx", (double) run.herdCpu() / baselineCpuMicros) : "");
        return run;
    }

    /**
     * The plain-Kafka ingest floor at the herd's rate: a producer in this JVM ({@code acks=all},
     * idempotent, {@code linger.ms=0}) paced at {@code rate}, and one {@link PlainReplica} process
     * per node, each reading every partition into a map. CPU per record of the producer, the
     * replicas and the broker, against the herd's CPU per update at the same rate.
     */
    private void ingestFloor(double rate, long herdCpu) throws Exception {
        String topic = baselineTopic();
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<Process> replicas = new ArrayList<>();
        List<java.io.BufferedReader> outs = new ArrayList<>();
        try {
            for (int i = 0; i < nodes.size(); i++) {
                Process p = new ProcessBuilder(javaBin, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                        PlainReplica.class.getName(), config.bootstrapServers(), topic).redirectErrorStream(true).start();
                replicas.add(p);
                outs.add(p.inputReader());
            }
            for (java.io.BufferedReader r : outs) {
                String line;
                while ((line = r.readLine()) != null && !line.equals("READY")) {
                    System.out.println("  replica: " + line);
                }
                if (line == null) {
                    throw new IllegalStateException("a plain replica ended before it was ready");
                }
            }
            Map<String, Object> props = new HashMap<>(config.kafkaClientSettings());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            long sent;
            long cpuNanos;
            double seconds;
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                pacedSends(p, topic, rate, Math.max(5, warmupSeconds), 0); // warm-up, not measured
                p.flush();
                Map<String, Long> cpu0 = cpu.snapshot();
                long replicas0 = childCpuNanos(replicas);
                long t0 = System.nanoTime();
                sent = pacedSends(p, topic, rate, this.seconds, 1_000_000_000L);
                p.flush();
                seconds = (System.nanoTime() - t0) / 1e9;
                // the replicas have read everything once they are idle again; their CPU until then counts
                awaitIdle(replicas);
                Map<String, Duration> used = CpuMeter.used(cpu0, cpu.snapshot());
                cpuNanos = used.getOrDefault("bench", Duration.ZERO).toNanos() + used.getOrDefault("broker", Duration.ZERO).toNanos()
                        + childCpuNanos(replicas) - replicas0;
            }
            for (Process p : replicas) {
                p.getOutputStream().close(); // the replica's signal to stop
            }
            long[] read = new long[1];
            for (java.io.BufferedReader r : outs) {
                r.lines().filter(l -> l.startsWith("READ ")).findFirst()
                        .ifPresent(l -> read[0] += Long.parseLong(l.split(" ")[1]));
            }
            long floorCpu = cpuNanos / 1000 / sent;
            results.put("ingestFloor", Map.of("perSecond", Math.round(sent / seconds), "cpuMicrosPerRecord", floorCpu,
                    "recordsRead", read[0]));
            System.out.printf("plain-Kafka ingest floor: %,.0f records/s, %,d read by %d replicas; CPU µs per record %d%n",
                    sent / seconds, read[0], replicas.size(), floorCpu);
            row("CPU per update at the herd's ingest rate: herd (all nodes and broker) / plain-Kafka floor (a producer, "
                            + replicas.size() + " plain consumers of every partition into a map, broker) (µs)",
                    String.format("%,d at %s/s", herdCpu, fmt(rate)), String.format("%,d at %s/s", floorCpu, fmt(sent / seconds)),
                    String.format("%.2fx", (double) herdCpu / floorCpu));
        } finally {
            for (Process p : replicas) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** Sends records like the herd's at {@code rate} a second for {@code secs}; returns how many were sent. */
    private static long pacedSends(KafkaProducer<String, byte[]> p, String topic, double rate, int secs, long first) {
        long interval = (long) (1e9 / rate);
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(secs);
        long next = t0;
        long i = 0;
        while (next < end) {
            long now = System.nanoTime();
            if (next > now) {
                java.util.concurrent.locks.LockSupport.parkNanos(next - now);
            }
            String client = "floor-" + ((first + i) % 160_000);
            p.send(new ProducerRecord<>(topic, client, Json.encode(location(client, first + i, "Alford"))));
            i++;
            next += interval;
        }
        return i;
    }

    private static long childCpuNanos(List<Process> ps) {
        return ps.stream().mapToLong(p -> p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }

    /** Waits (up to 30 s) until the processes use under 5% of a core together: they have read what was sent. */
    private static void awaitIdle(List<Process> ps) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long before = childCpuNanos(ps);
            Thread.sleep(200); // sampling their CPU use
            if (childCpuNanos(ps) - before < 10_000_000L) {
                return;
            }
        }
    }

    /**
     * IAMATs open-loop at {@code rate} (by default half the herd's measured ingest rate), spread
     * over the nodes: the latency a producer sees when the herd is busy but not saturated
     * (target: p99 under 20 ms at half the maximum).
     */
    private void ingestOpenLoop(double rate) throws Exception {
        int perNode = (int) Math.max(1, rate / nodes.size());
        Histogram all = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        long[] okErrors = new long[2];
        List<Thread> threads = new ArrayList<>();
        List<Exception> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
        double[] secs = new double[1];
        Map<String, Long> cpu0 = cpu.snapshot();
        for (int k = 0; k < nodes.size(); k++) {
            int port = config.tcpPort(nodes.get(k));
            int node = k;
            Thread t = new Thread(() -> {
                try {
                    OpenLoopDriver.OpenLoopResult r = OpenLoopDriver.run(port, 4, perNode, seconds, false,
                            i -> "IAMAT half-" + RUN + "-" + node + "-" + (i % 5000) + " +34.068930-118.445127 " + ((T0 - 40_000_000L) + i) + ".5");
                    synchronized (all) {
                        all.add(r.latency());
                        okErrors[0] += r.ok();
                        okErrors[1] += r.errors();
                        secs[0] = Math.max(secs[0], r.seconds());
                    }
                } catch (Exception e) {
                    failed.add(e);
                }
            }, "half-rate-" + k);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failed.isEmpty()) {
            throw failed.get(0);
        }
        double achieved = okErrors[0] / secs[0];
        Map<String, Long> perUpdate = cpuPerOp(cpu0, okErrors[0]);
        long herdCpu = sum(perUpdate) - perUpdate.getOrDefault("bench", 0L);
        results.put("ingestOpenLoop", Map.of("offeredPerSecond", perNode * nodes.size(), "perSecond", Math.round(achieved),
                "errors", okErrors[1], "latencyMs", latencyMap(all), "cpuMicrosPerUpdate", perUpdate));
        System.out.printf("ingest open-loop: %,.0f AT/s (%d errors), latency %s ms; CPU µs per update %s%n",
                achieved, okErrors[1], pcts(all), perUpdate);
        row("IAMAT open-loop" + (ingestOpenRate > 0 ? "" : " at half the measured ingest rate") + " (" + fmt(perNode * nodes.size()) + "/s offered over "
                        + nodes.size() + " nodes): achieved/s; p50 / p99 / max (ms); CPU µs per update, herd and broker",
                fmt(achieved) + "; " + pcts(all) + "; " + herdCpu, "", all.getValueAtPercentile(99) < 20_000 ? "p99 < 20 ms" : "p99 >= 20 ms");
    }

    // --- fences ----------------------------------------------------------------------------------

    /** The square the fence phase's fences and moving clients are in: latitude and longitude 10 to 20. */
    private static String inSquare(int conn, long i) {
        SplittableRandom r = new SplittableRandom(conn * 1_000_003L + i);
        return String.format("%+.6f%+.6f", 10 + r.nextDouble() * 10, 10 + r.nextDouble() * 10);
    }

    /**
     * Fences: the same pipelined ingest (clients jumping around a 10 x 10 degree square) without
     * fences and then with {@code count} fences (circles of 1-5 km and squares of about 5 km,
     * half each) over that square, CPU per update of every herd process and the broker (the
     * derivation's included); then the time from sending an IAMAT to its event arriving at a
     * Server-Sent Events subscriber at another node, against Kafka's own end-to-end latency, in
     * the same run. The fences are deleted afterwards.
     */
    private void fences(int count) throws Exception {
        settle();
        // unmeasured: the clients' first positions in the square (new keys in every store) cost more than the moves measured
        Load first = ingestLoad(nodes.size(), null, HerdBench::inSquare);
        System.out.printf("ingest, clients in the square for the first time (unmeasured): %,.0f AT/s%n", first.rate());
        settle();
        IngestRun without = measureIngestWhere("fencesWithout", "ingest, clients in the square, no fences");
        long t0 = System.nanoTime();
        putFences(count, false);
        for (String n : running) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (status(n).has("derivation") && status(n).path("derivation").path("fences").asInt() < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(n + "'s derivation does not hold the fences");
                }
                Thread.sleep(200); // polling the node's status
            }
        }
        System.out.printf("%,d fences stored and held by every derivation member in %.1f s%n", count, (System.nanoTime() - t0) / 1e9);
        settle();
        IngestRun with = measureIngestWhere("fencesWith", "ingest, clients in the square, " + count + " fences");
        row("IAMAT ingest with " + fmt(count) + " fences against none (clients jumping in a 10 x 10 degree square): updates/s; CPU µs per update, herd and broker, until the derivation has judged them",
                fmt(with.load().rate()) + "; " + with.herdCpu(), fmt(without.load().rate()) + "; " + without.herdCpu() + " (no fences)",
                String.format("rate %s, CPU %.2fx", pct(with.load().rate() / without.load().rate()), (double) with.herdCpu() / without.herdCpu()));
        row("the derivation (exactly once, over the five nodes) done with the updates of that ingest: seconds after it ended",
                String.format("%.1f", with.behind()), String.format("%.1f (no fences)", without.behind()), "");
        settle();
        eventLatency("fence event delivery, IAMAT sent to its SSE event at another node, " + fmt(count) + " fences: p50 / p99 / max (ms)");
        putFences(count, true);
    }

    /**
     * IAMAT-to-SSE event latency against Kafka's end-to-end latency and against Kafka's floor for
     * an exactly-once hop (produce, consume, produce and commit in a transaction, read committed),
     * measured one after the other.
     */
    private void eventLatency(String label) throws Exception {
        Histogram kafka = kafkaEndToEnd(400);
        Histogram hop = ExactlyOnceHop.measure(config.kafkaClientSettings(), name -> {
            try {
                return scratchTopic(name, 1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, String.valueOf(RUN), 300);
        results.put("kafkaExactlyOnceHopMs", latencyMap(hop));
        System.out.printf("Kafka exactly-once hop: %s ms%n", pcts(hop));
        Histogram sse = atToSse(300);
        results.put("fenceEventLatencyMs", latencyMap(sse));
        row(label, pcts(sse), pcts(kafka) + " (Kafka end-to-end); " + pcts(hop) + " (Kafka exactly-once hop)",
                String.format("p99 %.1fx end-to-end, %.1fx exactly-once hop", (double) sse.getValueAtPercentile(99) / kafka.getValueAtPercentile(99),
                        (double) sse.getValueAtPercentile(99) / hop.getValueAtPercentile(99)));
    }

    /**
     * Seconds until the derivation's committed input offsets reach the locations topic's end as of
     * now: how far behind the ingest it was when the ingest ended (0: it kept up).
     */
    private double derivationCatchUpSeconds() throws Exception {
        long t0 = System.nanoTime();
        try (Admin admin = Admin.create(config.kafkaClientSettings())) {
            String topic = config.topics().locations();
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            var ends = admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(p -> p,
                    p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
            long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
            while (true) {
                var committed = admin.listConsumerGroupOffsets(config.get(Settings.FENCES_APPLICATION_ID))
                        .partitionsToOffsetAndMetadata().get();
                boolean done = partitions.stream().allMatch(p -> committed.get(p) != null
                        && committed.get(p).offset() >= ends.get(p).offset());
                if (done) {
                    return (System.nanoTime() - t0) / 1e9;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the derivation did not catch up within 10 minutes");
                }
                Thread.sleep(100); // polling the group's committed offsets
            }
        }
    }

    /**
     * Ingest with clients in the square; CPU per update counted until the derivation has judged
     * every update of it (its work done after the ingest ended included), the seconds that took
     * after the ingest in {@link IngestRun#behind}.
     */
    private IngestRun measureIngestWhere(String key, String label) throws Exception {
        Map<String, Long> cpu0 = cpu.snapshot();
        Load load = ingestLoad(nodes.size(), null, HerdBench::inSquare);
        double behind = derivationCatchUpSeconds();
        Map<String, Long> perUpdate = cpuPerOp(cpu0, load.ok());
        results.put(key + "PerSecond", Math.round(load.rate()));
        results.put(key + "CpuMicrosPerUpdate", perUpdate);
        results.put(key + "DerivationBehindSeconds", behind);
        System.out.printf("%s: %,.0f AT/s, %d errors, latency %s ms; derivation done %.1f s after; CPU µs per update %s%n",
                label, load.rate(), load.errors(), pcts(load.latency()), behind, perUpdate);
        return new IngestRun(load, perUpdate, behind);
    }

    /** PUTs (or DELETEs) the phase's fences, 16 requests at a time spread over the nodes. */
    private void putFences(int count, boolean delete) throws Exception {
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(16);
        AtomicLong failed = new AtomicLong();
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < count; i++) {
            double lat = 10 + r.nextDouble() * 10;
            double lng = 10 + r.nextDouble() * 10;
            String body = i % 2 == 0
                    ? String.format("{\"circle\": {\"lat\": %.6f, \"lng\": %.6f, \"radius\": %d}, \"detect\": [\"enter\", \"exit\"]}",
                    lat, lng, 1000 + r.nextInt(4000))
                    : String.format("{\"polygon\": {\"type\": \"Polygon\", \"coordinates\": [[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}",
                    lng, lat, lng + 0.05, lat, lng + 0.05, lat + 0.05, lng, lat + 0.05, lng, lat);
            URI uri = URI.create("http://127.0.0.1:" + config.httpPort(running.get(i % running.size())) + "/v1/fences/bench-f-" + i);
            HttpRequest req = delete ? HttpRequest.newBuilder(uri).DELETE().build()
                    : HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString(body)).build();
            inFlight.acquire();
            http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, e) -> {
                if (e != null || resp.statusCode() >= 300) {
                    failed.incrementAndGet();
                }
                inFlight.release();
            });
        }
        inFlight.acquire(16);
        inFlight.release(16);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " fence requests failed");
        }
    }

    /**
     * One client stepping in and out of a fence of its own at the first node, one IAMAT at a time;
     * a Server-Sent Events subscriber of that fence at the second node: the time from sending each
     * IAMAT to its event (every step is an enter or an exit).
     */
    private Histogram atToSse(int samples) throws Exception {
        String fence = "bench-latency-" + RUN;
        int put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.httpPort(nodes.get(0)) + "/v1/fences/" + fence))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"circle\": {\"lat\": 0.5, \"lng\": 0.5, \"radius\": 1000}}")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        if (put != 200) {
            throw new IllegalStateException("the latency fence was refused: " + put);
        }
        java.util.concurrent.BlockingQueue<Long> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
        HttpResponse<java.util.stream.Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + config.httpPort(nodes.get(1 % nodes.size())) + "/v1/fences/" + fence + "/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        Thread reader = new Thread(() -> {
            try {
                stream.body().forEach(line -> {
                    if (line.startsWith("data: ")) {
                        arrived.add(System.nanoTime());
                    }
                });
            } catch (RuntimeException e) {
                // closed
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        Histogram h = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        try (LineConn c = new LineConn(config.tcpPort(nodes.get(0)))) {
            for (int i = -samples / 5; i < samples; i++) { // the first fifth unmeasured
                String where = (i & 1) == 0 ? "+0.500000+0.500000" : "+0.600000+0.600000";
                long t0 = System.nanoTime();
                String reply = c.ask("IAMAT bench-latency-client-" + RUN + " " + where + " " + ((T0 - 50_000_000L) + i + samples) + ".5");
                if (!reply.startsWith("AT ")) {
                    throw new IllegalStateException("IAMAT refused: " + reply);
                }
                Long at = arrived.poll(30, TimeUnit.SECONDS);
                if (at == null) {
                    throw new IllegalStateException("no event within 30 s");
                }
                if (i >= 0) {
                    h.recordValue((at - t0) / 1000);
                }
            }
        } finally {
            stream.body().close();
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.httpPort(nodes.get(0)) + "/v1/fences/" + fence))
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        }
        System.out.printf("IAMAT to SSE event: %s ms%n", pcts(h));
        return h;
    }

    /** One measured ingest run and the CPU each process spent per acknowledged update. */
    private record IngestRun(Load load, Map<String, Long> cpuPerUpdate, double behind) {
        IngestRun(Load load, Map<String, Long> cpuPerUpdate) {
            this(load, cpuPerUpdate, 0);
        }

        /** Herd processes and broker, without the load generator. */
        long herdCpu() {
            return sum(cpuPerUpdate) - cpuPerUpdate.getOrDefault("bench", 0L);
        }
    }

    /** Ingest at the first {@code n} nodes, recorded under {@code key} and printed as {@code label}. */
    private IngestRun measureIngest(int n, String key, String label) throws Exception {
        Map<String, Long> cpu0 = cpu.snapshot();
        Load load = ingestLoad(n, null);
        Map<String, Long> perUpdate = cpuPerOp(cpu0, load.ok());
        results.put(key + "PerSecond", Math.round(load.rate()));
        results.put(key + "LatencyMs", latencyMap(load.latency()));
        results.put(key + "CpuMicrosPerUpdate", perUpdate);
        System.out.printf("%s: %,.0f AT/s, %d errors, latency %s ms; CPU µs per update %s%n",
                label, load.rate(), load.errors(), pcts(load.latency()), perUpdate);
        return new IngestRun(load, perUpdate);
    }

    /**
     * Ingest with a herd of {@code k} nodes: the others are stopped (nodes never talk to each other,
     * so the first {@code k} are then a whole herd), then started again and caught up. Shows what
     * each further replica costs on this machine.
     */
    private void ingestWithSmallerHerd(int k) throws Exception {
        List<String> stopped = keepOnly(k);
        try {
            settle();
            IngestRun run = measureIngest(k, "ingestHerdOf" + k, "ingest with a herd of " + k + " node(s)");
            row("IAMAT ingest, herd of " + k + " node" + (k > 1 ? "s" : "") + " (the others stopped): updates/s; CPU µs per update, herd and broker",
                    fmt(run.load().rate()) + "; " + run.herdCpu(),
                    Double.isNaN(baselineRate) ? "" : String.format("%s; %d", fmt(baselineRate), baselineCpuMicros),
                    Double.isNaN(baselineRate) ? "" : pct(run.load().rate() / baselineRate));
        } finally {
            restart(stopped);
        }
    }

    /** Stops every node but the first {@code k} (then a whole herd); returns the stopped ones. */
    private List<String> keepOnly(int k) throws Exception {
        List<String> stopped = nodes.subList(k, nodes.size());
        for (String n : stopped) {
            herdScript("stop", n);
        }
        running = nodes.subList(0, k);
        return stopped;
    }

    /** Starts {@code stopped} again, all at once, and waits until each serves. */
    private void restart(List<String> stopped) throws Exception {
        running = nodes;
        List<Process> starting = new ArrayList<>();
        for (String n : stopped) {
            starting.add(new ProcessBuilder("scripts/herd", "start", n).inheritIO().start());
        }
        for (Process p : starting) {
            p.waitFor();
        }
    }

    private static void herdScript(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("scripts/herd"));
        cmd.addAll(List.of(args));
        int rc = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + rc);
        }
    }

    /**
     * Pipelined IAMATs over {@code connections} connections spread on the first {@code n} nodes,
     * for {@code seconds}, or in the background until {@code stopFlag} is set (then returns null).
     */
    private Load ingestLoad(int n, AtomicBoolean stopFlag) throws Exception {
        return ingestLoad(n, stopFlag, (conn, i) -> "+34.068930-118.445127");
    }

    /** Where the {@code i}-th IAMAT of connection {@code conn} says its client is. */
    private interface Where {
        String at(int conn, long i);
    }

    private Load ingestLoad(int n, AtomicBoolean stopFlag, Where where) throws Exception {
        Recorder latency = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean stop = stopFlag != null ? stopFlag : new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        int conns = stopFlag != null ? Math.max(2, connections / 4) : connections;
        for (int c = 0; c < conns; c++) {
            int id = c;
            int port = config.tcpPort(nodes.get(c % n));
            Thread t = new Thread(() -> {
                try (PipelinedClient pc = new PipelinedClient(port, window, latency, ok, errors)) {
                    long i = 0;
                    while (!stop.get() && (stopFlag != null || System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(seconds))) {
                        pc.send("IAMAT ingest-" + RUN + "-" + id + "-" + (i % 5000) + " " + where.at(id, i) + " " + ((T0 - 150_000_000L) + i) + ".5",
                                false, System.nanoTime());
                        i++;
                        if (i % 16 == 0) {
                            pc.flush();
                        }
                    }
                    pc.flush();
                    pc.drain(window);
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            }, "ingest-" + c);
            threads.add(t);
            t.start();
        }
        if (stopFlag != null) {
            background.addAll(threads);
            return null;
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Load(ok.get(), errors.get(), (System.nanoTime() - t0) / 1e9, latency.getIntervalHistogram());
    }

    /**
     * The herd's core job and what fences cost it (issue 21): for each fence count, the idle
     * herd's CPU, one client's IAMAT against Kafka's produce-and-consume, and ten classic clients
     * against the plain-Kafka five-process floor, each baseline in the same minute.
     */
    private void core(List<Integer> fenceCounts) throws Exception {
        int held = 0;
        for (int count : fenceCounts) {
            if (count != held) {
                putFences(Math.max(count, held), count < held);
                awaitDerivationHolds(count);
                held = count;
            }
            coreContext = ", " + fmt(count) + " fences";
            settle();
            // the derivation's members, input held while no fence exists, drain what came meanwhile every
            // fences.derivation.idle.drain.ms: work put off from the warm-up's ingest, not what an idle herd costs
            System.out.printf("(derivation caught up after %.1f s)%n", derivationCatchUpSeconds());
            settle();
            idleCpu();
            settle();
            iamatLatency(2000);
            settle();
            classicClients(10);
            if (!noBaseline) {
                settle();
                kafkaFloor(nodes.size(), 2);
            }
        }
        coreContext = "";
        if (held > 0) {
            putFences(held, true);
        }
    }

    /** Waits until every derivation member holds {@code count} fences. */
    private void awaitDerivationHolds(int count) throws Exception {
        for (String n : running) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (status(n).has("derivation") && status(n).path("derivation").path("fences").asInt() != count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(n + "'s derivation does not hold " + count + " fences");
                }
                Thread.sleep(200); // polling the node's status
            }
        }
    }

    /** The herd's processes with no traffic at all: share of one core over 30 s, by process. */
    private void idleCpu() throws Exception {
        Map<String, Long> before = cpu.snapshot();
        long t0 = System.nanoTime();
        Thread.sleep(30_000); // measuring an idle herd: nothing to wait for
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> share = new LinkedHashMap<>();
        CpuMeter.used(before, cpu.snapshot()).forEach((name, d) -> {
            if (!name.equals("bench")) {
                share.put(name, 100.0 * d.toNanos() / 1e9 / seconds);
            }
        });
        double total = share.values().stream().mapToDouble(Double::doubleValue).sum();
        results.put("idleCpuPercent" + coreContext, share);
        row("idle herd" + coreContext + ", no traffic for 30 s: % of one core, five nodes and broker (each)",
                String.format("%.1f (%s)", total, share.entrySet().stream()
                        .map(e -> String.format("%s %.1f", e.getKey(), e.getValue())).collect(java.util.stream.Collectors.joining(", "))),
                "", total < 25 ? "under 25%" : "over 25%");
    }

    /** Kafka's own end-to-end latency: produce (acks=all) then consume, one record at a time. */
    private Histogram kafkaEndToEnd(int samples) throws Exception {
        String topic = baselineTopic();
        Map<String, Object> pp = new HashMap<>(config.kafkaClientSettings());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Map<String, Object> cp = new HashMap<>(config.kafkaClientSettings());
        cp.put("enable.auto.commit", false);
        cp.put("fetch.max.wait.ms", 100);
        Histogram h = new Histogram(3);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToEnd(List.of(tp));
            c.position(tp);
            for (int i = -samples; i < samples; i++) { // as many again warm the clients (as the herd's), unmeasured
                long t0 = System.nanoTime();
                p.send(new ProducerRecord<>(topic, 0, "e2e", Json.encode(location("e2e", i, "Alford")))).get();
                boolean seen = false;
                while (!seen) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        seen = true;
                    }
                }
                if (i >= 0) {
                    h.recordValue((System.nanoTime() - t0) / 1000);
                }
            }
        }
        results.put("kafkaEndToEndMs", latencyMap(h));
        System.out.printf("Kafka end-to-end: %s ms%n", pcts(h));
        return h;
    }

    /**
     * One client sending IAMATs one at a time on one connection to an idle herd, against Kafka's
     * own floor in the same minute: a producer ({@code acks=all}, idempotent, {@code linger.ms=0})
     * and a consumer that sees each record, one at a time.
     */
    private void iamatLatency(int samples) throws Exception {
        String node = nodes.get(0);
        Histogram first = new Histogram(3);
        Histogram herd = new Histogram(3);
        Map<String, Long> cpu0 = null;
        try (LineConn c = new LineConn(config.tcpPort(node))) {
            // as many again warm the path first (shown apart with --warmup-seconds 0): one IAMAT at a
            // time takes paths the pipelined warm-up does not, and five JVMs compile them on two cores
            for (int i = -samples; i < samples; i++) {
                long t0 = System.nanoTime();
                String at = c.ask("IAMAT one-" + RUN + " +1.000000+1.000000 " + ((T0 - 50_000_000L) + i + samples));
                if (!at.startsWith("AT ")) {
                    throw new IllegalStateException("not acknowledged: " + at);
                }
                (i < 0 ? first : herd).recordValue((System.nanoTime() - t0) / 1000);
                if (i == -1) {
                    cpu0 = cpu.snapshot();
                }
            }
        }
        Map<String, Long> perIamat = cpuPerOp(cpu0, samples);
        if (warmupSeconds <= 0) {
            // run right after scripts/herd up: what the first client meets
            row("one client's first " + samples + " IAMATs to a herd just started: p50 / p99 / max (ms)",
                    pcts(first), "", "");
        }
        Histogram kafka = kafkaEndToEnd(samples);
        results.put("iamatRoundTripMs" + coreContext, latencyMap(herd));
        results.put("iamatCpuMicros" + coreContext, perIamat);
        row("one client's IAMAT round trip, one at a time" + coreContext + ": p50 / p99 / max (ms); CPU µs per IAMAT, herd and broker",
                pcts(herd) + "; " + sum(without(perIamat, "bench")),
                pcts(kafka) + " (produce acks=all and consume, one at a time)",
                String.format("p50 %.2fx, p99 %.2fx", (double) herd.getValueAtPercentile(50) / kafka.getValueAtPercentile(50),
                        (double) herd.getValueAtPercentile(99) / kafka.getValueAtPercentile(99)));
    }

    /**
     * The classic client: it opens a connection, sends one IAMAT, half-closes, reads the reply to
     * the end and closes; {@code n} of them at once, each at a node of its own in turn (spread
     * over the herd), each sending its next as soon as it has its answer. The same clients run as
     * long again first, not measured: a herd minutes old compiles its connection path meanwhile (the
     * floor's processes warm likewise), and measured cold it gave a quarter of the warm rate.
     */
    private void classicClients(int n) throws Exception {
        classicClients(n, false);
        classicClients(n, true);
    }

    private void classicClients(int n, boolean measured) throws Exception {
        Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicLong done = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Map<String, Long> cpu0 = cpu.snapshot();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int port = config.tcpPort(running.get(t % running.size()));
            String client = "classic-" + RUN + (measured ? "-" : "-warm-") + n + "-" + t;
            Thread th = new Thread(() -> {
                Histogram mine = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
                long i = 0;
                try {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                            s.getOutputStream().write(("IAMAT " + client + " +1.000000+1.000000 "
                                    + ((T0 - 50_000_000L) + i++) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                            s.shutdownOutput();
                            byte[] reply = s.getInputStream().readAllBytes();
                            if (reply.length < 3 || reply[0] != 'A' || reply[1] != 'T') {
                                throw new IllegalStateException("not acknowledged: " + new String(reply));
                            }
                        }
                        mine.recordValue((System.nanoTime() - t0) / 1000);
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
                synchronized (latency) {
                    latency.add(mine);
                }
            }, "classic-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        if (!measured) {
            return;
        }
        double rate = done.get() / ((System.nanoTime() - start) / 1e9);
        Map<String, Long> perIamat = cpuPerOp(cpu0, done.get());
        results.put("classic" + n + "PerSecond" + coreContext, Math.round(rate));
        results.put("classic" + n + "LatencyMs" + coreContext, latencyMap(latency));
        results.put("classic" + n + "CpuMicros" + coreContext, perIamat);
        row("classic clients (a connection per IAMAT, half-close), " + n + " spread over " + running.size()
                + " node" + (running.size() > 1 ? "s" : "") + coreContext + ": IAMATs/s; p50 / p99 / max (ms); CPU µs per IAMAT, herd and broker",
                fmt(rate) + "; " + pcts(latency) + "; " + sum(without(perIamat, "bench")), "", "");
    }

    /**
     * The plain-Kafka floor for clients spread over a herd ({@link KafkaFloor}): {@code processes}
     * JVMs at once, each a producer, a consumer of every partition and {@code threads} clients
     * that wait for their record's ack and then for their own process to have applied it.
     */
    private void kafkaFloor(int processes, int threads) throws Exception {
        String topic = baselineTopic();
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        long startAt = System.currentTimeMillis() + 4000 + TimeUnit.SECONDS.toMillis(Math.max(10, warmupSeconds)); // JVM start, then warm-up
        List<Process> started = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            started.add(new ProcessBuilder(javaBin, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    KafkaFloor.class.getName(), config.bootstrapServers(), topic, String.valueOf(threads),
                    String.valueOf(startAt), String.valueOf(seconds)).redirectErrorStream(true).start());
        }
        Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long count = 0;
        for (Process p : started) {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            String line = out.lines().filter(l -> l.startsWith("FLOOR ")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("a floor process failed:\n" + out));
            String[] f = line.split(" ");
            count += Long.parseLong(f[1]);
            latency.add(Histogram.decodeFromCompressedByteBuffer(
                    java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(f[2])), 0));
        }
        double rate = count / (double) seconds;
        results.put("kafkaFloorPerSecond" + coreContext, Math.round(rate));
        results.put("kafkaFloorLatencyMs" + coreContext, latencyMap(latency));
        Object classic = results.get("classic10PerSecond" + coreContext);
        Object classicLatency = results.get("classic10LatencyMs" + coreContext);
        row("plain-Kafka floor: " + processes + " processes, each a producer, a consumer of every partition and "
                        + threads + " clients waiting for ack then their own apply: records/s; p50 / p99 / max (ms)",
                classic == null ? "" : "10 classic clients: " + fmt(((Number) classic).doubleValue()) + "/s",
                fmt(rate) + "; " + pcts(latency),
                classic == null ? "" : String.format("rate %.0f%%, p50 %.1fx", 100 * ((Number) classic).doubleValue() / rate,
                        ((Map<?, ?>) classicLatency).get("p50") instanceof Number n
                                ? n.doubleValue() / (latency.getValueAtPercentile(50) / 1000.0) : Double.NaN));
    }

    /** An IAMAT at one node, then a WHATSAT at each other node: time from the AT to each answer showing it. */
    private Histogram propagation(int samples, boolean underLoad) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        if (underLoad) {
            ingestLoad(nodes.size(), stop);
            Thread.sleep(2000); // let the background load settle
        }
        Histogram h = new Histogram(3);
        int stale = 0;
        List<org.herd.bench.LineConn> readers = new ArrayList<>();
        for (String n : nodes) {
            readers.add(new LineConn(config.tcpPort(n)));
        }
        try {
            for (int i = 0; i < samples; i++) {
                int w = i % nodes.size();
                // unique per run: an equal client time would (rightly) leave an older run's update in place
                String client = "prop-" + RUN + (underLoad ? "-l-" : "-i-") + i;
                String at = readers.get(w).ask("IAMAT " + client + " +1.000000+1.000000 " + ((T0 - 50_000_000L) + i));
                long t0 = System.nanoTime();
                for (int r = 0; r < nodes.size(); r++) {
                    if (r != w) {
                        readers.get(r).send("WHATSAT " + client + " 1 1");
                    }
                }
                for (int r = 0; r < nodes.size(); r++) {
                    if (r != w) {
                        String reply = readers.get(r).readReply();
                        if (!reply.startsWith(at)) {
                            // answered from local state after read.freshness.timeout.ms (a stale read, counted by
                            // the node too): the documented outcome when a replica cannot catch up in time
                            stale++;
                        }
                        h.recordValue((System.nanoTime() - t0) / 1000);
                    }
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : background) {
                t.join(); // the next phase must not share the machine with this load
            }
            background.clear();
            for (LineConn c : readers) {
                c.close();
            }
        }
        results.put(underLoad ? "propagationUnderLoadMs" : "propagationIdleMs", latencyMap(h));
        results.put(underLoad ? "propagationUnderLoadStale" : "propagationIdleStale", stale);
        System.out.printf("propagation %s: %s ms; %d stale reads of %d%n", underLoad ? "under load" : "idle", pcts(h), stale,
                h.getTotalCount());
        return h;
    }

    /** WHATSAT on one node: an open-loop run at a fixed rate, then as fast as it goes. */
    private void whatsat() throws Exception {
        for (boolean fixedRate : new boolean[] {true, false}) {
            settle();
            Map<String, Long> cpu0 = cpu.snapshot();
            Load load = fixedRate ? whatsatOpenLoop() : whatsatClosedLoop();
            Map<String, Long> perQuery = cpuPerOp(cpu0, load.ok() + load.errors());
            double rate = (load.ok() + load.errors()) / load.seconds();
            Histogram h = load.latency();
            String key = fixedRate ? "whatsatAt" + whatsatRate : "whatsatMax";
            results.put(key + "PerSecond", Math.round(rate));
            results.put(key + "LatencyMs", latencyMap(h));
            results.put(key + "Unknown", load.errors());
            results.put(key + "CpuMicrosPerQuery", perQuery);
            System.out.printf("WHATSAT %s: %,.0f/s (%d not known), latency %s ms; CPU µs per query %s%n",
                    fixedRate ? "at " + whatsatRate + "/s" : "max", rate, load.errors(), pcts(h), perQuery);
            row(fixedRate ? "WHATSAT at " + whatsatRate + "/s offered, one node: achieved/s, p50 / p99 / max (ms)"
                            : "WHATSAT as fast as it goes, one node: queries/s, p50 / p99 / max (ms)",
                    fmt(rate) + "; " + pcts(h), "", "");
            row("CPU per WHATSAT " + (fixedRate ? "at " + whatsatRate + "/s" : "as fast as it goes")
                            + ": node / broker / load generator (µs)",
                    perQuery.getOrDefault(nodes.get(0), 0L) + " / " + perQuery.getOrDefault("broker", 0L) + " / "
                            + perQuery.getOrDefault("bench", 0L), "", "");
        }
    }

    /**
     * Redis GEO over the same places and known clients, the same offered rate and connections as
     * the WHATSAT phase: GEOPOS + GEOSEARCH (what a WHATSAT needs), GEOSEARCH alone, and
     * GEOPOS + GEOSEARCH as fast as it goes. Skipped, with a row saying so, without redis-server.
     */
    /**
     * Who is near a point, with the herd's known clients: the index's memory per client (the same
     * points in an index built in this JVM), then {@code GET /v1/locations?near=<random point>&radius=100&limit=20}
     * open-loop at one node, CPU per query of that node, against Redis {@code GEOSEARCH ... BYRADIUS 100 km
     * ASC COUNT 20} over the same points at the same rate, in the same run.
     */
    private void clientsNear() throws Exception {
        settle();
        long bytes = clientIndexBytes(knownClients);
        results.put("clientIndexBytesPerClient", bytes / Math.max(1, knownClients));
        row("client index (who is near a point): memory per client, " + fmt(knownClients) + " clients (bytes)",
                String.valueOf(bytes / Math.max(1, knownClients)), "", "");
        int rate = 250; // a node spends about 1.6 ms of CPU a query here (two shared cores): at 250/s latency is not all queueing
        int conns = 8;
        String node = nodes.get(0);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, Long> cpu0 = cpu.snapshot();
        Recorder latency = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong found = new AtomicLong();
        AtomicLong incomplete = new AtomicLong(); // answers cut by clients.query.scan.max or a full index
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long interval = 1_000_000_000L * conns / rate;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < conns; c++) {
            int conn = c;
            Thread t = new Thread(() -> {
                SplittableRandom r = new SplittableRandom(300 + conn);
                long due = start + interval * conn / conns;
                while (due < end) {
                    long now = System.nanoTime();
                    if (due > now) {
                        java.util.concurrent.locks.LockSupport.parkNanos(due - now);
                    }
                    String q = String.format("/v1/locations?near=%.5f,%.5f&radius=100&limit=20", r.nextDouble(-60, 70), r.nextDouble(-180, 180));
                    try {
                        HttpResponse<String> resp = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.httpPort(node) + q)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (resp.statusCode() == 200) {
                            ok.incrementAndGet();
                            JsonNode answer = Json.MAPPER.readTree(resp.body());
                            found.addAndGet(answer.path("count").asLong());
                            if (!answer.path("complete").asBoolean(true)) {
                                incomplete.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        // counted as not ok
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    latency.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
                    due += interval;
                }
            }, "near-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        Map<String, Long> perQuery = cpuPerOp(cpu0, Math.max(1, ok.get()));
        Histogram h = latency.getIntervalHistogram();
        double achieved = ok.get() / ((System.nanoTime() - start) / 1e9);
        results.put("clientsNear", Map.of("perSecond", Math.round(achieved), "latencyMs", latencyMap(h), "cpuMicrosPerQuery", perQuery,
                "clientsPerAnswer", found.get() / Math.max(1, ok.get())));
        System.out.printf("clients near a point at %d/s offered: %,.0f/s ok, %s ms, %d clients per answer, %d answers not complete;"
                        + " CPU µs per query %s%n", rate, achieved, pcts(h), found.get() / Math.max(1, ok.get()), incomplete.get(), perQuery);
        if (incomplete.get() > 0) {
            System.out.println("WARNING: some answers were not complete (\"complete\": false): the herd's client index is full"
                    + " (clients.index.max) or a query examined clients.query.scan.max clients; the figures are not comparable");
        }
        long nodeCpu = perQuery.getOrDefault(node, 0L);
        Optional<RedisBaseline> started = RedisBaseline.start(16379, Path.of("run", "bench-redis"), List.of());
        String redisCell = "skipped: redis-server is not installed (Debian: apt-get install redis-server)";
        String ratio = "";
        if (started.isPresent()) {
            try (RedisBaseline redis = started.get()) {
                redis.load(List.of(), knownClients, 7);
                redis.clientsNear(rate, Math.max(2, warmupSeconds / 2), conns, 100, 20); // warm-up, not measured
                RedisBaseline.RedisResult r = redis.clientsNear(rate, seconds, conns, 100, 20);
                results.put("redisClientsNear", Map.of("perSecond", Math.round(r.queries() / r.seconds()), "latencyMs", latencyMap(r.latency()),
                        "cpuMicrosPerQuery", r.cpuMicrosPerQuery()));
                redisCell = fmt(r.queries() / r.seconds()) + "; " + pcts(r.latency()) + "; " + r.cpuMicrosPerQuery() + " µs (GEOSEARCH BYRADIUS 100 km ASC COUNT 20)";
                ratio = r.cpuMicrosPerQuery() == 0 ? "" : String.format("CPU %.1fx, p99 %.1fx", (double) nodeCpu / r.cpuMicrosPerQuery(),
                        (double) h.getValueAtPercentile(99) / Math.max(1, r.latency().getValueAtPercentile(99)));
            }
        }
        row("clients near a random point, 100 km, 20 nearest, " + fmt(knownClients) + " clients, at " + rate + "/s offered over "
                        + conns + " connections to one node: achieved/s; p50 / p99 / max (ms); node CPU µs per query; clients per answer",
                fmt(achieved) + "; " + pcts(h) + "; " + nodeCpu + " µs; " + found.get() / Math.max(1, ok.get()), redisCell, ratio);
        if (found.get() == 0) {
            throw new IllegalStateException("every clients-near answer was empty: the herd does not hold the known clients");
        }
    }

    /** Heap the client index takes for {@code n} clients at the points the herd was loaded with, in this JVM. */
    private static long clientIndexBytes(int n) {
        java.lang.management.MemoryMXBean mem = java.lang.management.ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        org.herd.stream.geo.ClientIndex index = new org.herd.stream.geo.ClientIndex();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            double lat = random.nextDouble(-60, 70);
            double lng = random.nextDouble(-180, 180);
            random.nextInt(1_000_000_000);
            index.put("load-" + i + ".example", lat, lng);
        }
        System.gc();
        long after = mem.getHeapMemoryUsage().getUsed();
        if (index.size() != n) {
            throw new IllegalStateException("the index holds " + index.size() + " clients, not " + n);
        }
        return after - before;
    }

    private void redis() throws Exception {
        Optional<RedisBaseline> started = RedisBaseline.start(16379, Path.of("run", "bench-redis"), List.of());
        if (started.isEmpty()) {
            row("Redis GEO baseline", "skipped: redis-server is not installed (Debian: apt-get install redis-server)", "", "");
            return;
        }
        try (RedisBaseline redis = started.get()) {
            List<org.herd.stream.model.Place> places = org.herd.node.ops.PlacesSeeder.read(
                    Path.of(config.get(Settings.PLACES_DATASET)), p -> true);
            redis.load(places, knownClients, 7);
            redis.closedLoop(Math.max(2, warmupSeconds / 2), 16, knownClients, true); // warm-up, not measured
            Object herdCpu = results.get("whatsatAt" + whatsatRate + "CpuMicrosPerQuery");
            Long nodeCpu = herdCpu instanceof Map<?, ?> m ? (Long) m.get(nodes.get(0)) : null;
            for (boolean geopos : new boolean[] {true, false}) {
                RedisBaseline.RedisResult r = redis.openLoop(whatsatRate, seconds, 16, knownClients, geopos);
                String what = geopos ? "GEOPOS + GEOSEARCH 10 km / 5" : "GEOSEARCH 10 km / 5";
                results.put("redis" + (geopos ? "GeoposGeosearch" : "Geosearch") + "At" + whatsatRate,
                        Map.of("perSecond", Math.round(r.queries() / r.seconds()), "latencyMs", latencyMap(r.latency()),
                                "cpuMicrosPerQuery", r.cpuMicrosPerQuery()));
                row("Redis " + what + " at " + whatsatRate + "/s offered (16 connections): achieved/s, p50 / p99 / max (ms); CPU µs per query",
                        nodeCpu == null ? "" : "node " + nodeCpu + " µs per WHATSAT",
                        fmt(r.queries() / r.seconds()) + "; " + pcts(r.latency()) + "; " + r.cpuMicrosPerQuery() + " µs",
                        nodeCpu == null || r.cpuMicrosPerQuery() == 0 ? ""
                                : String.format("CPU %.1fx", (double) nodeCpu / r.cpuMicrosPerQuery()));
            }
            RedisBaseline.RedisResult max = redis.closedLoop(seconds, 16, knownClients, true);
            results.put("redisGeoposGeosearchMax", Map.of("perSecond", Math.round(max.queries() / max.seconds()),
                    "cpuMicrosPerQuery", max.cpuMicrosPerQuery()));
            row("Redis GEOPOS + GEOSEARCH as fast as it goes (16 connections): queries/s, p50 / p99 (ms); CPU µs per query",
                    "", fmt(max.queries() / max.seconds()) + "; " + pcts(max.latency()) + "; " + max.cpuMicrosPerQuery() + " µs", "");
        }
        redisGeoadd();
    }

    /**
     * Redis {@code GEOADD} with its append-only file, {@code appendfsync always} (every write on
     * disk before the reply, as the herd's acknowledgement means it is in Kafka) and
     * {@code everysec}, written as the herd's ingest phase writes (the same connections and
     * window), beside the herd's ingest at all nodes when that phase ran.
     */
    private void redisGeoadd() throws Exception {
        Object herdRate = results.get("ingest" + nodes.size() + "NodesPerSecond");
        Object herdCpu = results.get("ingest" + nodes.size() + "NodesCpuMicrosPerUpdate");
        long herdMicros = herdCpu instanceof Map<?, ?> m ? m.entrySet().stream().filter(e -> !e.getKey().equals("bench"))
                .mapToLong(e -> ((Number) e.getValue()).longValue()).sum() : 0;
        for (String fsync : List.of("always", "everysec")) {
            Optional<RedisBaseline> started = RedisBaseline.start(16379, Path.of("run", "bench-redis-aof"), List.of(),
                    List.of("--appendonly", "yes", "--appendfsync", fsync));
            if (started.isEmpty()) {
                return;
            }
            try (RedisBaseline redis = started.get()) {
                redis.geoadd(Math.max(2, warmupSeconds / 2), connections, window); // warm-up, not measured
                RedisBaseline.RedisResult r = redis.geoadd(seconds, connections, window);
                double rate = r.queries() / r.seconds();
                results.put("redisGeoadd" + fsync, Map.of("perSecond", Math.round(rate), "latencyMs", latencyMap(r.latency()),
                        "cpuMicrosPerUpdate", r.cpuMicrosPerQuery()));
                row("Redis GEOADD, appendfsync " + fsync + ", " + connections + " connections x " + window
                                + " pipelined: updates/s; p50 / p99 / max (ms); CPU µs per update",
                        herdRate == null ? "" : "herd of " + nodes.size() + ": " + fmt(((Number) herdRate).doubleValue()) + "/s; "
                                + herdMicros + " µs",
                        fmt(rate) + "; " + pcts(r.latency()) + "; " + r.cpuMicrosPerQuery() + " µs",
                        herdRate == null ? "" : String.format("rate %s, CPU %.0fx", pct(((Number) herdRate).doubleValue() / rate),
                                (double) herdMicros / Math.max(1, r.cpuMicrosPerQuery())));
            }
        }
    }

    /**
     * One node alone (the others stopped) pinned to core 0 with {@code taskset}, the broker and
     * this load generator on core 1: WHATSAT open-loop at 5,000, 10,000 and 20,000/s; then Redis
     * pinned to core 0, the same rates, GEOPOS + GEOSEARCH and GEOSEARCH alone.
     */
    private void oneCore() throws Exception {
        if (RedisBaseline.which("taskset").isEmpty() || Runtime.getRuntime().availableProcessors() < 2) {
            row("one-core phase", "skipped: needs taskset and two cores", "", "");
            return;
        }
        List<String> stopped = keepOnly(1);
        String node = nodes.get(0);
        List<Long> pinnedToOne = List.of(pid("broker"), ProcessHandle.current().pid());
        String all = "0-" + (Runtime.getRuntime().availableProcessors() - 1);
        int measuredRate = whatsatRate;
        Map<Integer, Long> nodeCpu = new LinkedHashMap<>();
        try {
            taskset("0", pid(node));
            for (long pid : pinnedToOne) {
                taskset("1", pid);
            }
            for (int rate : List.of(5000, 10000, 20000)) {
                settle();
                whatsatRate = rate;
                Map<String, Long> cpu0 = cpu.snapshot();
                Load load = whatsatOpenLoop();
                Map<String, Long> perQuery = cpuPerOp(cpu0, load.ok() + load.errors());
                nodeCpu.put(rate, perQuery.getOrDefault(node, 0L));
                results.put("oneCoreWhatsatAt" + rate, Map.of("perSecond", Math.round((load.ok() + load.errors()) / load.seconds()),
                        "latencyMs", latencyMap(load.latency()), "cpuMicrosPerQuery", perQuery));
                row("one core: WHATSAT at " + rate + "/s offered, " + node + " alone on core 0: achieved/s; p50 / p99 / max (ms); node / broker µs per query",
                        fmt((load.ok() + load.errors()) / load.seconds()) + "; " + pcts(load.latency()) + "; "
                                + perQuery.getOrDefault(node, 0L) + " / " + perQuery.getOrDefault("broker", 0L), "", "");
            }
        } finally {
            whatsatRate = measuredRate;
            taskset(all, pid(node));
            for (long pid : pinnedToOne) {
                taskset(all, pid);
            }
            restart(stopped);
        }
        Optional<RedisBaseline> started = RedisBaseline.start(16379, Path.of("run", "bench-redis"), List.of("taskset", "-c", "0"));
        if (started.isEmpty()) {
            row("one core: Redis GEO baseline", "skipped: redis-server is not installed (Debian: apt-get install redis-server)", "", "");
            return;
        }
        try (RedisBaseline redis = started.get()) {
            redis.load(org.herd.node.ops.PlacesSeeder.read(Path.of(config.get(Settings.PLACES_DATASET)), p -> true),
                    knownClients, 7);
            redis.closedLoop(2, 16, knownClients, true); // warm-up, not measured
            for (int rate : nodeCpu.keySet()) {
                for (boolean geopos : new boolean[] {true, false}) {
                    RedisBaseline.RedisResult r = redis.openLoop(rate, seconds, 16, knownClients, geopos);
                    results.put("oneCoreRedis" + (geopos ? "GeoposGeosearch" : "Geosearch") + "At" + rate,
                            Map.of("latencyMs", latencyMap(r.latency()), "cpuMicrosPerQuery", r.cpuMicrosPerQuery()));
                    row("one core: Redis " + (geopos ? "GEOPOS + GEOSEARCH" : "GEOSEARCH") + " at " + rate
                                    + "/s on core 0: p50 / p99 / max (ms); µs per query",
                            "node " + nodeCpu.get(rate) + " µs per WHATSAT",
                            fmt(r.queries() / r.seconds()) + "/s; " + pcts(r.latency()) + "; " + r.cpuMicrosPerQuery(),
                            r.cpuMicrosPerQuery() == 0 ? "" : String.format("CPU %.1fx", (double) nodeCpu.get(rate) / r.cpuMicrosPerQuery()));
                }
            }
        }
    }

    private static long pid(String name) throws Exception {
        return Long.parseLong(Files.readString(Path.of("run", "pids", name + ".pid")).trim());
    }

    /** Pins every thread of {@code pid} to {@code cpus} (e.g. {@code 0} or {@code 0-1}). */
    private static void taskset(String cpus, long pid) throws Exception {
        int rc = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, String.valueOf(pid))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("taskset -a -p -c " + cpus + " " + pid + " exited with " + rc);
        }
    }

    /** WHATSATs for random known clients at {@code whatsatRate} over 16 connections, from one thread. */
    private Load whatsatOpenLoop() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        OpenLoopDriver.OpenLoopResult r = OpenLoopDriver.run(config.tcpPort(nodes.get(0)), 16, whatsatRate, seconds, true,
                i -> "WHATSAT load-" + random.nextInt(knownClients) + ".example 10 5");
        if (r.late() > 0) {
            System.out.printf("(the load generator sent %,d queries more than 1 ms late)%n", r.late());
        }
        results.put("whatsatAt" + whatsatRate + "SentLate", r.late());
        return new Load(r.ok(), r.errors(), r.seconds(), r.latency());
    }

    /**
     * WHATSATs for random known clients at the first node over 16 connections, closed-loop: as
     * fast as it goes, {@code window} in flight on each.
     */
    private Load whatsatClosedLoop() throws Exception {
        int port = config.tcpPort(nodes.get(0));
        Recorder latency = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        int conns = 16;
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < conns; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(id);
                try (PipelinedClient pc = new PipelinedClient(port, window, latency, ok, errors)) {
                    while (System.nanoTime() < end) {
                        String client = "load-" + random.nextInt(knownClients) + ".example";
                        pc.send("WHATSAT " + client + " 10 5", true, System.nanoTime());
                        pc.flush();
                    }
                    pc.drain(window);
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            }, "whatsat-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Load(ok.get(), errors.get(), (System.nanoTime() - t0) / 1e9, latency.getIntervalHistogram());
    }

    /** Replays the topics into a fresh replica of one node; reports time and rate. */
    private void rebuild() throws Exception {
        String node = nodes.get(nodes.size() - 1);
        admin(node, "POST", "/admin/replay");
        JsonNode s;
        do {
            Thread.sleep(500); // polling replay progress
            s = admin(node, "GET", "/admin/replay");
        } while (s.get("state").asText().equals("running"));
        long records = 0;
        for (JsonNode v : s.get("applied")) {
            records += v.asLong();
        }
        double secs = (s.get("finishedAtMillis").asLong() - s.get("startedAtMillis").asLong()) / 1000.0;
        results.put("rebuildRecords", records);
        results.put("rebuildSeconds", secs);
        row("rebuild: replay into a fresh replica (records, seconds, records/s)",
                String.format("%,d in %.1f s (%,.0f/s)", records, secs, records / secs), "", "");
        System.out.printf("rebuild of %s: %,d records in %.1f s%n", node, records, secs);
    }

    private void memory() throws Exception {
        StringBuilder heap = new StringBuilder();
        Map<String, Object> m = new LinkedHashMap<>();
        for (String n : nodes) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.httpPort(n) + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double used = metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            long rss = rss(n);
            m.put(n, Map.of("heapUsedMiB", Math.round(used / (1 << 20)), "rssMiB", rss));
            heap.append(String.format("%s %d/%d ", n, Math.round(used / (1 << 20)), rss));
        }
        results.put("memory", m);
        row("node memory: heap used / RSS (MiB)", heap.toString().trim(), "", "");
    }

    private static long rss(String node) {
        try {
            String pid = Files.readString(Path.of("run", "pids", node + ".pid")).trim();
            return Files.readAllLines(Path.of("/proc", pid, "status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(-1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private JsonNode status(String node) throws Exception {
        return admin(node, "GET", "/admin/status");
    }

    private JsonNode admin(String node, String method, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.adminPort(node) + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return Json.MAPPER.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
    }

    private void row(String measure, String herd, String kafka, String ratio) {
        table.append("| ").append(measure).append(" | ").append(herd).append(" | ").append(kafka).append(" | ")
                .append(ratio).append(" |\n");
    }

    private static Map<String, Double> latencyMap(Histogram h) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("p50", h.getValueAtPercentile(50) / 1000.0);
        m.put("p99", h.getValueAtPercentile(99) / 1000.0);
        m.put("max", h.getMaxValue() / 1000.0);
        return m;
    }

    private static String pcts(Histogram h) {
        return String.format("%.2f / %.2f / %.2f", h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    private static String fmt(double v) {
        return String.format("%,.0f", v);
    }

    private static String pct(double ratio) {
        return String.format("%.0f%%", ratio * 100);
    }
}
