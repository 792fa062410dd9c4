package org.herd.bench;

import org.herd.stream.model.Json;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Pipelined IAMAT ingest at one node and at all, against Kafka's own producer, the plain-Kafka floor and an open-loop run at half the rate. */
final class IngestPhase implements Phase {
    private final BenchRun run;

    IngestPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public void run() throws Exception {
        run.settle();
        double raw = run.noBaseline ? Double.NaN : run.loads.baselineProducer();
        for (int n : run.ingestNodes != null ? run.ingestNodes : List.of(1, run.nodes.size())) {
            run.settle();
            IngestRun measured = ingest(n);
            double herd = measured.load().rate();
            run.row("IAMAT ingest, " + n + " node" + (n > 1 ? "s" : "") + " (acknowledged updates/s)",
                    BenchRun.fmt(herd), BenchRun.fmt(raw) + " (raw producer)", BenchRun.pct(herd / raw));
            if (n == run.nodes.size()) {
                if (!run.noBaseline) {
                    run.settle();
                    ingestFloor(herd, measured.herdCpu());
                }
                run.settle();
                ingestOpenLoop(run.ingestOpenRate > 0 ? run.ingestOpenRate : herd / 2);
            }
        }
    }

    /** Measured ingest at the first {@code n} nodes: rate, latency and CPU per acknowledged update. */
    IngestRun ingest(int n) throws Exception {
        IngestRun measured = run.loads.measureIngest(n, "ingest" + n + "Nodes", "ingest at " + n + " node(s)");
        run.row("CPU per acknowledged update at " + n + " node" + (n > 1 ? "s" : "") + ", all herd processes and broker (µs)",
                String.format("%,d", measured.herdCpu()), String.format("%,d (producer and broker, per record)", run.baselineCpuMicros),
                run.baselineCpuMicros > 0 ? String.format("%.1fx", (double) measured.herdCpu() / run.baselineCpuMicros) : "");
        return measured;
    }

    /**
     * The plain-Kafka ingest floor at the herd's rate: a producer in this JVM ({@code acks=all},
     * idempotent, {@code linger.ms=0}) paced at {@code rate}, and one {@link PlainReplica} process
     * per node, each reading every partition into a map. CPU per record of the producer, the
     * replicas and the broker, against the herd's CPU per update at the same rate.
     */
    void ingestFloor(double rate, long herdCpu) throws Exception {
        String topic = run.baselineTopic();
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<Process> replicas = new ArrayList<>();
        List<java.io.BufferedReader> outs = new ArrayList<>();
        try {
            for (int i = 0; i < run.nodes.size(); i++) {
                Process p = new ProcessBuilder(javaBin, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                        PlainReplica.class.getName(), run.config.bootstrapServers(), topic).redirectErrorStream(true).start();
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
            Map<String, Object> props = new HashMap<>(run.config.kafkaClientSettings());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            long sent;
            long cpuNanos;
            double elapsed;
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                pacedSends(p, topic, rate, Math.max(5, run.warmupSeconds), 0); // warm-up, not measured
                p.flush();
                Map<String, Long> cpu0 = run.cpu.snapshot();
                long replicas0 = childCpuNanos(replicas);
                long t0 = System.nanoTime();
                sent = pacedSends(p, topic, rate, run.seconds, 1_000_000_000L);
                p.flush();
                elapsed = (System.nanoTime() - t0) / 1e9;
                // the replicas have read everything once they are idle again; their CPU until then counts
                awaitIdle(replicas);
                Map<String, Duration> used = CpuMeter.used(cpu0, run.cpu.snapshot());
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
            run.results.put("ingestFloor", Map.of("perSecond", Math.round(sent / elapsed), "cpuMicrosPerRecord", floorCpu,
                    "recordsRead", read[0]));
            System.out.printf("plain-Kafka ingest floor: %,.0f records/s, %,d read by %d replicas; CPU µs per record %d%n",
                    sent / elapsed, read[0], replicas.size(), floorCpu);
            run.row("CPU per update at the herd's ingest rate: herd (all nodes and broker) / plain-Kafka floor (a producer, "
                            + replicas.size() + " plain consumers of every partition into a map, broker) (µs)",
                    String.format("%,d at %s/s", herdCpu, BenchRun.fmt(rate)), String.format("%,d at %s/s", floorCpu, BenchRun.fmt(sent / elapsed)),
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
    static long pacedSends(KafkaProducer<String, byte[]> p, String topic, double rate, int secs, long first) {
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
            p.send(new ProducerRecord<>(topic, client, Json.encode(BenchRun.location(client, first + i, "Alford"))));
            i++;
            next += interval;
        }
        return i;
    }

    static long childCpuNanos(List<Process> ps) {
        return ps.stream().mapToLong(p -> p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }

    /** Waits (up to 30 s) until the processes use under 5% of a core together: they have read what was sent. */
    static void awaitIdle(List<Process> ps) throws InterruptedException {
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
    void ingestOpenLoop(double rate) throws Exception {
        int perNode = (int) Math.max(1, rate / run.nodes.size());
        Histogram all = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        long[] okErrors = new long[2];
        List<Thread> threads = new ArrayList<>();
        List<Exception> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
        double[] secs = new double[1];
        Map<String, Long> cpu0 = run.cpu.snapshot();
        for (int k = 0; k < run.nodes.size(); k++) {
            int port = run.config.tcpPort(run.nodes.get(k));
            int node = k;
            Thread t = new Thread(() -> {
                try {
                    OpenLoopDriver.OpenLoopResult r = OpenLoopDriver.run(port, 4, perNode, run.seconds, false,
                            i -> "IAMAT half-" + BenchRun.RUN + "-" + node + "-" + (i % 5000) + " +34.068930-118.445127 " + ((BenchRun.T0 - 40_000_000L) + i) + ".5");
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
        Map<String, Long> perUpdate = run.cpuPerOp(cpu0, okErrors[0]);
        long herdCpu = BenchRun.sum(perUpdate) - perUpdate.getOrDefault("bench", 0L);
        run.results.put("ingestOpenLoop", Map.of("offeredPerSecond", perNode * run.nodes.size(), "perSecond", Math.round(achieved),
                "errors", okErrors[1], "latencyMs", BenchRun.latencyMap(all), "cpuMicrosPerUpdate", perUpdate));
        System.out.printf("ingest open-loop: %,.0f AT/s (%d errors), latency %s ms; CPU µs per update %s%n",
                achieved, okErrors[1], BenchRun.pcts(all), perUpdate);
        run.row("IAMAT open-loop" + (run.ingestOpenRate > 0 ? "" : " at half the measured ingest rate") + " (" + BenchRun.fmt(perNode * run.nodes.size()) + "/s offered over "
                        + run.nodes.size() + " nodes): achieved/s; p50 / p99 / max (ms); CPU µs per update, herd and broker",
                BenchRun.fmt(achieved) + "; " + BenchRun.pcts(all) + "; " + herdCpu, "", all.getValueAtPercentile(99) < 20_000 ? "p99 < 20 ms" : "p99 >= 20 ms");
    }
}
