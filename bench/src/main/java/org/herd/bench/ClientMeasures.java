package org.herd.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What one client, classic clients and an idle herd cost, each with its same-run baseline (phases iamat-latency, classic, core). */
final class ClientMeasures {
    private final BenchRun run;

    ClientMeasures(BenchRun run) {
        this.run = run;
    }

    /**
     * One client sending IAMATs one at a time on one connection to an idle herd, against Kafka's
     * own floor in the same minute: a producer ({@code acks=all}, idempotent, {@code linger.ms=0})
     * and a consumer that sees each record, one at a time.
     */
    void iamatLatency(int samples) throws Exception {
        String node = run.nodes.get(0);
        Histogram first = new Histogram(3);
        Histogram herd = new Histogram(3);
        Map<String, Long> cpu0 = null;
        try (LineConn c = new LineConn(run.config.tcpPort(node))) {
            // as many again warm the path first (shown apart with --warmup-seconds 0): one IAMAT at a
            // time takes paths the pipelined warm-up does not, and five JVMs compile them on two cores
            for (int i = -samples; i < samples; i++) {
                long t0 = System.nanoTime();
                String at = c.ask("IAMAT one-" + BenchRun.RUN + " +1.000000+1.000000 " + ((BenchRun.T0 - 50_000_000L) + i + samples));
                if (!at.startsWith("AT ")) {
                    throw new IllegalStateException("not acknowledged: " + at);
                }
                (i < 0 ? first : herd).recordValue((System.nanoTime() - t0) / 1000);
                if (i == -1) {
                    cpu0 = run.cpu.snapshot();
                }
            }
        }
        Map<String, Long> perIamat = run.cpuPerOp(cpu0, samples);
        if (run.warmupSeconds <= 0) {
            // run right after scripts/herd up: what the first client meets
            run.row("one client's first " + samples + " IAMATs to a herd just started: p50 / p99 / max (ms)",
                    BenchRun.pcts(first), "", "");
        }
        Histogram kafka = run.loads.kafkaEndToEnd(samples);
        run.results.put("iamatRoundTripMs" + run.coreContext, BenchRun.latencyMap(herd));
        run.results.put("iamatCpuMicros" + run.coreContext, perIamat);
        run.row("one client's IAMAT round trip, one at a time" + run.coreContext + ": p50 / p99 / max (ms); CPU µs per IAMAT, herd and broker",
                BenchRun.pcts(herd) + "; " + BenchRun.sum(BenchRun.without(perIamat, "bench")),
                BenchRun.pcts(kafka) + " (produce acks=all and consume, one at a time)",
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
    void classicClients(int n) throws Exception {
        classicClients(n, false);
        classicClients(n, true);
    }

    void classicClients(int n, boolean measured) throws Exception {
        Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicLong done = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Map<String, Long> cpu0 = run.cpu.snapshot();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(run.seconds);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int port = run.config.tcpPort(run.running.get(t % run.running.size()));
            String client = "classic-" + BenchRun.RUN + (measured ? "-" : "-warm-") + n + "-" + t;
            Thread th = new Thread(() -> {
                Histogram mine = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
                long i = 0;
                try {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                            s.getOutputStream().write(("IAMAT " + client + " +1.000000+1.000000 "
                                    + ((BenchRun.T0 - 50_000_000L) + i++) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
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
        Map<String, Long> perIamat = run.cpuPerOp(cpu0, done.get());
        run.results.put("classic" + n + "PerSecond" + run.coreContext, Math.round(rate));
        run.results.put("classic" + n + "LatencyMs" + run.coreContext, BenchRun.latencyMap(latency));
        run.results.put("classic" + n + "CpuMicros" + run.coreContext, perIamat);
        run.row("classic clients (a connection per IAMAT, half-close), " + n + " spread over " + run.running.size()
                + " node" + (run.running.size() > 1 ? "s" : "") + run.coreContext + ": IAMATs/s; p50 / p99 / max (ms); CPU µs per IAMAT, herd and broker",
                BenchRun.fmt(rate) + "; " + BenchRun.pcts(latency) + "; " + BenchRun.sum(BenchRun.without(perIamat, "bench")), "", "");
    }

    /**
     * The plain-Kafka floor for clients spread over a herd ({@link KafkaFloor}): {@code processes}
     * JVMs at once, each a producer, a consumer of every partition and {@code threads} clients
     * that wait for their record's ack and then for their own process to have applied it.
     */
    void kafkaFloor(int processes, int threads) throws Exception {
        String topic = run.baselineTopic();
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        long startAt = System.currentTimeMillis() + 4000 + TimeUnit.SECONDS.toMillis(Math.max(10, run.warmupSeconds)); // JVM start, then warm-up
        List<Process> started = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            started.add(new ProcessBuilder(javaBin, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    KafkaFloor.class.getName(), run.config.bootstrapServers(), topic, String.valueOf(threads),
                    String.valueOf(startAt), String.valueOf(run.seconds)).redirectErrorStream(true).start());
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
        double rate = count / (double) run.seconds;
        run.results.put("kafkaFloorPerSecond" + run.coreContext, Math.round(rate));
        run.results.put("kafkaFloorLatencyMs" + run.coreContext, BenchRun.latencyMap(latency));
        Object classic = run.results.get("classic10PerSecond" + run.coreContext);
        Object classicLatency = run.results.get("classic10LatencyMs" + run.coreContext);
        run.row("plain-Kafka floor: " + processes + " processes, each a producer, a consumer of every partition and "
                        + threads + " clients waiting for ack then their own apply: records/s; p50 / p99 / max (ms)",
                classic == null ? "" : "10 classic clients: " + BenchRun.fmt(((Number) classic).doubleValue()) + "/s",
                BenchRun.fmt(rate) + "; " + BenchRun.pcts(latency),
                classic == null ? "" : String.format("rate %.0f%%, p50 %.1fx", 100 * ((Number) classic).doubleValue() / rate,
                        ((Map<?, ?>) classicLatency).get("p50") instanceof Number n
                                ? n.doubleValue() / (latency.getValueAtPercentile(50) / 1000.0) : Double.NaN));
    }

    /** The herd's processes with no traffic at all: share of one core over 30 s, by process. */
    void idleCpu() throws Exception {
        Map<String, Long> before = run.cpu.snapshot();
        long t0 = System.nanoTime();
        Thread.sleep(30_000); // measuring an idle herd: nothing to wait for
        double elapsed = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> share = new LinkedHashMap<>();
        CpuMeter.used(before, run.cpu.snapshot()).forEach((name, d) -> {
            if (!name.equals("bench")) {
                share.put(name, 100.0 * d.toNanos() / 1e9 / elapsed);
            }
        });
        double total = share.values().stream().mapToDouble(Double::doubleValue).sum();
        run.results.put("idleCpuPercent" + run.coreContext, share);
        run.row("idle herd" + run.coreContext + ", no traffic for 30 s: % of one core, five nodes and broker (each)",
                String.format("%.1f (%s)", total, share.entrySet().stream()
                        .map(e -> String.format("%s %.1f", e.getKey(), e.getValue())).collect(java.util.stream.Collectors.joining(", "))),
                "", total < 25 ? "under 25%" : "over 25%");
    }
}
