package org.herd.bench;

import org.herd.stream.model.Json;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Who is near a point over the known clients, against Redis GEOSEARCH. */
final class ClientsNearPhase implements Phase {
    private final BenchRun run;

    ClientsNearPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "clients-near";
    }

    @Override
    public void run() throws Exception {
        clientsNear();
    }

    /**
     * Who is near a point, with the herd's known clients: the index's memory per client (the same
     * points in an index built in this JVM), then {@code GET /v1/locations?near=<random point>&radius=100&limit=20}
     * open-loop at one node, CPU per query of that node, against Redis {@code GEOSEARCH ... BYRADIUS 100 km
     * ASC COUNT 20} over the same points at the same rate, in the same run.
     */
    void clientsNear() throws Exception {
        run.settle();
        long bytes = clientIndexBytes(run.knownClients);
        run.results.put("clientIndexBytesPerClient", bytes / Math.max(1, run.knownClients));
        run.row("client index (who is near a point): memory per client, " + BenchRun.fmt(run.knownClients) + " clients (bytes)",
                String.valueOf(bytes / Math.max(1, run.knownClients)), "", "");
        int rate = 250; // a node spends about 1.6 ms of CPU a query here (two shared cores): at 250/s latency is not all queueing
        int conns = 8;
        String node = run.nodes.get(0);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, Long> cpu0 = run.cpu.snapshot();
        Recorder latency = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong found = new AtomicLong();
        AtomicLong incomplete = new AtomicLong(); // answers cut by clients.query.scan.max or a full index
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long end = start + TimeUnit.SECONDS.toNanos(run.seconds);
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
                        HttpResponse<String> resp = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + run.config.httpPort(node) + q)).build(),
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
        Map<String, Long> perQuery = run.cpuPerOp(cpu0, Math.max(1, ok.get()));
        Histogram h = latency.getIntervalHistogram();
        double achieved = ok.get() / ((System.nanoTime() - start) / 1e9);
        run.results.put("clientsNear", Map.of("perSecond", Math.round(achieved), "latencyMs", BenchRun.latencyMap(h), "cpuMicrosPerQuery", perQuery,
                "clientsPerAnswer", found.get() / Math.max(1, ok.get())));
        System.out.printf("clients near a point at %d/s offered: %,.0f/s ok, %s ms, %d clients per answer, %d answers not complete;"
                        + " CPU µs per query %s%n", rate, achieved, BenchRun.pcts(h), found.get() / Math.max(1, ok.get()), incomplete.get(), perQuery);
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
                redis.load(List.of(), run.knownClients, 7);
                redis.clientsNear(rate, Math.max(2, run.warmupSeconds / 2), conns, 100, 20); // warm-up, not measured
                RedisBaseline.RedisResult r = redis.clientsNear(rate, run.seconds, conns, 100, 20);
                run.results.put("redisClientsNear", Map.of("perSecond", Math.round(r.queries() / r.seconds()), "latencyMs", BenchRun.latencyMap(r.latency()),
                        "cpuMicrosPerQuery", r.cpuMicrosPerQuery()));
                redisCell = BenchRun.fmt(r.queries() / r.seconds()) + "; " + BenchRun.pcts(r.latency()) + "; " + r.cpuMicrosPerQuery() + " µs (GEOSEARCH BYRADIUS 100 km ASC COUNT 20)";
                ratio = r.cpuMicrosPerQuery() == 0 ? "" : String.format("CPU %.1fx, p99 %.1fx", (double) nodeCpu / r.cpuMicrosPerQuery(),
                        (double) h.getValueAtPercentile(99) / Math.max(1, r.latency().getValueAtPercentile(99)));
            }
        }
        run.row("clients near a random point, 100 km, 20 nearest, " + BenchRun.fmt(run.knownClients) + " clients, at " + rate + "/s offered over "
                        + conns + " connections to one node: achieved/s; p50 / p99 / max (ms); node CPU µs per query; clients per answer",
                BenchRun.fmt(achieved) + "; " + BenchRun.pcts(h) + "; " + nodeCpu + " µs; " + found.get() / Math.max(1, ok.get()), redisCell, ratio);
        if (found.get() == 0) {
            throw new IllegalStateException("every clients-near answer was empty: the herd does not hold the known clients");
        }
    }

    /** Heap the client index takes for {@code n} clients at the points the herd was loaded with, in this JVM. */
    static long clientIndexBytes(int n) {
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
}
