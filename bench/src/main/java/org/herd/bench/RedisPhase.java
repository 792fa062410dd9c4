package org.herd.bench;

import org.herd.node.config.Settings;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Redis GEO over the same places and clients, and Redis GEOADD with its append-only file. */
final class RedisPhase implements Phase {
    private final BenchRun run;

    RedisPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void run() throws Exception {
        redis();
    }

    /**
     * Redis GEO over the same places and known clients, the same offered rate and connections as
     * the WHATSAT phase: GEOPOS + GEOSEARCH (what a WHATSAT needs), GEOSEARCH alone, and
     * GEOPOS + GEOSEARCH as fast as it goes. Skipped, with a row saying so, without redis-server.
     */
    void redis() throws Exception {
        Optional<RedisBaseline> started = RedisBaseline.start(16379, Path.of("run", "bench-redis"), List.of());
        if (started.isEmpty()) {
            run.row("Redis GEO baseline", "skipped: redis-server is not installed (Debian: apt-get install redis-server)", "", "");
            return;
        }
        try (RedisBaseline redis = started.get()) {
            List<org.herd.stream.model.Place> places = org.herd.node.ops.PlacesSeeder.read(
                    Path.of(run.config.get(Settings.PLACES_DATASET)), p -> true);
            redis.load(places, run.knownClients, 7);
            redis.closedLoop(Math.max(2, run.warmupSeconds / 2), 16, run.knownClients, true); // warm-up, not measured
            Object herdCpu = run.results.get("whatsatAt" + run.whatsatRate + "CpuMicrosPerQuery");
            Long nodeCpu = herdCpu instanceof Map<?, ?> m ? (Long) m.get(run.nodes.get(0)) : null;
            for (boolean geopos : new boolean[] {true, false}) {
                RedisBaseline.RedisResult r = redis.openLoop(run.whatsatRate, run.seconds, 16, run.knownClients, geopos);
                String what = geopos ? "GEOPOS + GEOSEARCH 10 km / 5" : "GEOSEARCH 10 km / 5";
                run.results.put("redis" + (geopos ? "GeoposGeosearch" : "Geosearch") + "At" + run.whatsatRate,
                        Map.of("perSecond", Math.round(r.queries() / r.seconds()), "latencyMs", BenchRun.latencyMap(r.latency()),
                                "cpuMicrosPerQuery", r.cpuMicrosPerQuery()));
                run.row("Redis " + what + " at " + run.whatsatRate + "/s offered (16 connections): achieved/s, p50 / p99 / max (ms); CPU µs per query",
                        nodeCpu == null ? "" : "node " + nodeCpu + " µs per WHATSAT",
                        BenchRun.fmt(r.queries() / r.seconds()) + "; " + BenchRun.pcts(r.latency()) + "; " + r.cpuMicrosPerQuery() + " µs",
                        nodeCpu == null || r.cpuMicrosPerQuery() == 0 ? ""
                                : String.format("CPU %.1fx", (double) nodeCpu / r.cpuMicrosPerQuery()));
            }
            RedisBaseline.RedisResult max = redis.closedLoop(run.seconds, 16, run.knownClients, true);
            run.results.put("redisGeoposGeosearchMax", Map.of("perSecond", Math.round(max.queries() / max.seconds()),
                    "cpuMicrosPerQuery", max.cpuMicrosPerQuery()));
            run.row("Redis GEOPOS + GEOSEARCH as fast as it goes (16 connections): queries/s, p50 / p99 (ms); CPU µs per query",
                    "", BenchRun.fmt(max.queries() / max.seconds()) + "; " + BenchRun.pcts(max.latency()) + "; " + max.cpuMicrosPerQuery() + " µs", "");
        }
        redisGeoadd();
    }

    /**
     * Redis {@code GEOADD} with its append-only file, {@code appendfsync always} (every write on
     * disk before the reply, as the herd's acknowledgement means it is in Kafka) and
     * {@code everysec}, written as the herd's ingest phase writes (the same connections and
     * window), beside the herd's ingest at all nodes when that phase ran.
     */
    void redisGeoadd() throws Exception {
        Object herdRate = run.results.get("ingest" + run.nodes.size() + "NodesPerSecond");
        Object herdCpu = run.results.get("ingest" + run.nodes.size() + "NodesCpuMicrosPerUpdate");
        long herdMicros = herdCpu instanceof Map<?, ?> m ? m.entrySet().stream().filter(e -> !e.getKey().equals("bench"))
                .mapToLong(e -> ((Number) e.getValue()).longValue()).sum() : 0;
        for (String fsync : List.of("always", "everysec")) {
            Optional<RedisBaseline> started = RedisBaseline.start(16379, Path.of("run", "bench-redis-aof"), List.of(),
                    List.of("--appendonly", "yes", "--appendfsync", fsync));
            if (started.isEmpty()) {
                return;
            }
            try (RedisBaseline redis = started.get()) {
                redis.geoadd(Math.max(2, run.warmupSeconds / 2), run.connections, run.window); // warm-up, not measured
                RedisBaseline.RedisResult r = redis.geoadd(run.seconds, run.connections, run.window);
                double rate = r.queries() / r.seconds();
                run.results.put("redisGeoadd" + fsync, Map.of("perSecond", Math.round(rate), "latencyMs", BenchRun.latencyMap(r.latency()),
                        "cpuMicrosPerUpdate", r.cpuMicrosPerQuery()));
                run.row("Redis GEOADD, appendfsync " + fsync + ", " + run.connections + " connections x " + run.window
                                + " pipelined: updates/s; p50 / p99 / max (ms); CPU µs per update",
                        herdRate == null ? "" : "herd of " + run.nodes.size() + ": " + BenchRun.fmt(((Number) herdRate).doubleValue()) + "/s; "
                                + herdMicros + " µs",
                        BenchRun.fmt(rate) + "; " + BenchRun.pcts(r.latency()) + "; " + r.cpuMicrosPerQuery() + " µs",
                        herdRate == null ? "" : String.format("rate %s, CPU %.0fx", BenchRun.pct(((Number) herdRate).doubleValue() / rate),
                                (double) herdMicros / Math.max(1, r.cpuMicrosPerQuery())));
            }
        }
    }
}
