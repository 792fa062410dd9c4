package org.herd.bench;

import org.herd.node.config.Settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One node alone on one core against Redis on the same core. */
final class OneCorePhase implements Phase {
    private final BenchRun run;

    OneCorePhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "one-core";
    }

    @Override
    public void run() throws Exception {
        oneCore();
    }

    /**
     * One node alone (the others stopped) pinned to core 0 with {@code taskset}, the broker and
     * this load generator on core 1: WHATSAT open-loop at 5,000, 10,000 and 20,000/s; then Redis
     * pinned to core 0, the same rates, GEOPOS + GEOSEARCH and GEOSEARCH alone.
     */
    void oneCore() throws Exception {
        if (RedisBaseline.which("taskset").isEmpty() || Runtime.getRuntime().availableProcessors() < 2) {
            run.row("one-core phase", "skipped: needs taskset and two cores", "", "");
            return;
        }
        List<String> stopped = run.keepOnly(1);
        String node = run.nodes.get(0);
        List<Long> pinnedToOne = List.of(pid("broker"), ProcessHandle.current().pid());
        String all = "0-" + (Runtime.getRuntime().availableProcessors() - 1);
        int measuredRate = run.whatsatRate;
        Map<Integer, Long> nodeCpu = new LinkedHashMap<>();
        try {
            taskset("0", pid(node));
            for (long pid : pinnedToOne) {
                taskset("1", pid);
            }
            for (int rate : List.of(5000, 10000, 20000)) {
                run.settle();
                run.whatsatRate = rate;
                Map<String, Long> cpu0 = run.cpu.snapshot();
                Load load = run.loads.whatsatOpenLoop();
                Map<String, Long> perQuery = run.cpuPerOp(cpu0, load.ok() + load.errors());
                nodeCpu.put(rate, perQuery.getOrDefault(node, 0L));
                run.results.put("oneCoreWhatsatAt" + rate, Map.of("perSecond", Math.round((load.ok() + load.errors()) / load.seconds()),
                        "latencyMs", BenchRun.latencyMap(load.latency()), "cpuMicrosPerQuery", perQuery));
                run.row("one core: WHATSAT at " + rate + "/s offered, " + node + " alone on core 0: achieved/s; p50 / p99 / max (ms); node / broker µs per query",
                        BenchRun.fmt((load.ok() + load.errors()) / load.seconds()) + "; " + BenchRun.pcts(load.latency()) + "; "
                                + perQuery.getOrDefault(node, 0L) + " / " + perQuery.getOrDefault("broker", 0L), "", "");
            }
        } finally {
            run.whatsatRate = measuredRate;
            taskset(all, pid(node));
            for (long pid : pinnedToOne) {
                taskset(all, pid);
            }
            run.restart(stopped);
        }
        Optional<RedisBaseline> started = RedisBaseline.start(16379, Path.of("run", "bench-redis"), List.of("taskset", "-c", "0"));
        if (started.isEmpty()) {
            run.row("one core: Redis GEO baseline", "skipped: redis-server is not installed (Debian: apt-get install redis-server)", "", "");
            return;
        }
        try (RedisBaseline redis = started.get()) {
            redis.load(org.herd.node.ops.PlacesSeeder.read(Path.of(run.config.get(Settings.PLACES_DATASET)), p -> true),
                    run.knownClients, 7);
            redis.closedLoop(2, 16, run.knownClients, true); // warm-up, not measured
            for (int rate : nodeCpu.keySet()) {
                for (boolean geopos : new boolean[] {true, false}) {
                    RedisBaseline.RedisResult r = redis.openLoop(rate, run.seconds, 16, run.knownClients, geopos);
                    run.results.put("oneCoreRedis" + (geopos ? "GeoposGeosearch" : "Geosearch") + "At" + rate,
                            Map.of("latencyMs", BenchRun.latencyMap(r.latency()), "cpuMicrosPerQuery", r.cpuMicrosPerQuery()));
                    run.row("one core: Redis " + (geopos ? "GEOPOS + GEOSEARCH" : "GEOSEARCH") + " at " + rate
                                    + "/s on core 0: p50 / p99 / max (ms); µs per query",
                            "node " + nodeCpu.get(rate) + " µs per WHATSAT",
                            BenchRun.fmt(r.queries() / r.seconds()) + "/s; " + BenchRun.pcts(r.latency()) + "; " + r.cpuMicrosPerQuery(),
                            r.cpuMicrosPerQuery() == 0 ? "" : String.format("CPU %.1fx", (double) nodeCpu.get(rate) / r.cpuMicrosPerQuery()));
                }
            }
        }
    }

    static long pid(String name) throws Exception {
        return Long.parseLong(Files.readString(Path.of("run", "pids", name + ".pid")).trim());
    }

    /** Pins every thread of {@code pid} to {@code cpus} (e.g. {@code 0} or {@code 0-1}). */
    static void taskset(String cpus, long pid) throws Exception {
        int rc = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, String.valueOf(pid))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("taskset -a -p -c " + cpus + " " + pid + " exited with " + rc);
        }
    }
}
