package org.herd.bench;

import org.HdrHistogram.Histogram;
import org.herd.stream.model.Place;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Redis GEO on the same machine, holding the same places and the same known clients as the
 * herd, answering the same query (places within 10 km of a client, 5 of them): an instance of
 * its own, started and stopped here, on a port of its own, without persistence. Its CPU per
 * query is the figure the herd's node CPU per WHATSAT is compared with.
 */
final class RedisBaseline implements AutoCloseable {
    /** One measured load: queries answered, seconds, latency (µs, from when each was due). */
    record RedisResult(long queries, double seconds, Histogram latency, long cpuMicrosPerQuery) {
    }

    private final Process process;
    private final int port;

    private RedisBaseline(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code redis-server} from the PATH on {@code port}; empty where it is not installed. */
    static Optional<RedisBaseline> start(int port, Path dir, List<String> taskset) throws Exception {
        return start(port, dir, taskset, List.of("--appendonly", "no"));
    }

    /**
     * As {@link #start(int, Path, List)}, with {@code persistence}: for example {@code --appendonly
     * yes --appendfsync always}. The directory is emptied first.
     */
    static Optional<RedisBaseline> start(int port, Path dir, List<String> taskset, List<String> persistence) throws Exception {
        Optional<Path> binary = which("redis-server");
        if (binary.isEmpty()) {
            return Optional.empty();
        }
        if (Files.isDirectory(dir)) {
            try (var old = Files.walk(dir)) {
                old.sorted(java.util.Comparator.reverseOrder()).filter(f -> !f.equals(dir)).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(taskset);
        cmd.addAll(List.of(binary.get().toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--dir", dir.toString(), "--protected-mode", "no"));
        cmd.addAll(persistence);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisBaseline r = new RedisBaseline(p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Jedis j = r.connect()) {
                j.ping();
                return Optional.of(r);
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    r.close();
                    throw new IllegalStateException("redis-server did not start; see " + dir.resolve("redis.log"), e);
                }
                Thread.sleep(50); // polling a starting server
            }
        }
    }

    static Optional<Path> which(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private Jedis connect() {
        return new Jedis("127.0.0.1", port, 5000);
    }

    /**
     * Loads the places, and {@code clients} clients at the positions {@code LoadLocations} gives
     * them with {@code seed} (the same random sequence, so the same points as the herd's).
     */
    void load(List<Place> places, int clients, long seed) {
        try (Jedis j = connect()) {
            j.flushAll();
            Pipeline p = j.pipelined();
            for (Place place : places) {
                p.sendCommand(Protocol.Command.GEOADD, "places", String.valueOf(place.lng()),
                        String.valueOf(place.lat()), place.id());
            }
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < clients; i++) {
                double lat = random.nextDouble(-60, 70);
                double lng = random.nextDouble(-180, 180);
                random.nextInt(1_000_000_000); // the client time's digits, as LoadLocations draws them
                p.sendCommand(Protocol.Command.GEOADD, "clients", String.valueOf(lng), String.valueOf(lat),
                        "load-" + i + ".example");
            }
            p.sync();
        }
    }

    /**
     * {@code rate} queries a second for {@code seconds} over {@code connections} connections, each
     * paced on its own schedule (latency counted from when a query was due, so a slow answer
     * delays the next and is counted); {@code withGeopos}: first the client's position (GEOPOS),
     * then the places around it (GEOSEARCH), as a WHATSAT needs both.
     */
    RedisResult openLoop(int rate, int seconds, int connections, int clients, boolean withGeopos) throws Exception {
        return run(seconds, connections, clients, withGeopos, (long) (1e9 * connections / rate));
    }

    /** As fast as it goes: one query in flight on each connection. */
    RedisResult closedLoop(int seconds, int connections, int clients, boolean withGeopos) throws Exception {
        return run(seconds, connections, clients, withGeopos, 0);
    }

    /** What one connection does until {@code end} (nanoTime): records each latency in {@code mine}, counts in {@code done}. */
    private interface ConnectionLoad {
        void run(int conn, Jedis j, long end, Histogram mine, AtomicLong done);
    }

    /** Runs {@code load} on {@code connections} connections, one thread each, from {@code start} for {@code seconds}. */
    private RedisResult measured(String name, int connections, long start, int seconds, ConnectionLoad load) throws Exception {
        Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicLong done = new AtomicLong();
        long cpu0 = cpuNanos();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int conn = c;
            Thread t = new Thread(() -> {
                Histogram mine = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
                try (Jedis j = connect()) {
                    load.run(conn, j, end, mine, done);
                }
                synchronized (latency) {
                    latency.add(mine);
                }
            }, name + "-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long cpu = cpuNanos() - cpu0;
        double secs = (System.nanoTime() - start) / 1e9;
        return new RedisResult(done.get(), secs, latency, done.get() == 0 ? 0 : cpu / 1000 / done.get());
    }

    private RedisResult run(int seconds, int connections, int clients, boolean withGeopos, long intervalNanos)
            throws Exception {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        return measured("redis-load", connections, start, seconds, (c, j, end, mine, done) -> {
            SplittableRandom random = new SplittableRandom(100 + c);
            long due = start + intervalNanos * c / connections;
            while (true) {
                long now = System.nanoTime();
                if (intervalNanos > 0) {
                    if (due > now) {
                        LockSupport.parkNanos(due - now);
                    }
                } else {
                    due = now;
                }
                if (due >= end) {
                    break;
                }
                query(j, "load-" + random.nextInt(clients) + ".example", random, withGeopos);
                mine.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
                done.incrementAndGet();
                due += intervalNanos;
            }
        });
    }

    /**
     * Writes as the herd's ingest phase does: {@code connections} connections, each sending
     * {@code GEOADD clients <lng> <lat> <member>} pipelined {@code window} at a time (one
     * round trip per window), for {@code seconds}; latency per command from the window's send.
     */
    RedisResult geoadd(int seconds, int connections, int window) throws Exception {
        return measured("redis-geoadd", connections, System.nanoTime(), seconds, (conn, j, end, mine, done) -> {
            long i = 0;
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                Pipeline p = j.pipelined();
                for (int k = 0; k < window; k++, i++) {
                    double lat = (i * 7 % 1600) / 10.0 - 80;
                    double lng = (i * 13 % 3400) / 10.0 - 170;
                    p.sendCommand(Protocol.Command.GEOADD, "clients", String.valueOf(lng), String.valueOf(lat),
                            "ingest-" + conn + "-" + (i % 5000));
                }
                p.sync();
                long us = (System.nanoTime() - t0) / 1000;
                for (int k = 0; k < window; k++) {
                    mine.recordValue(us);
                }
                done.addAndGet(window);
            }
        });
    }

    /**
     * {@code GEOSEARCH clients FROMLONLAT <random point> BYRADIUS <km> km ASC COUNT <count>} at
     * {@code rate} a second over {@code connections} connections (latency from each query's due
     * time), as the herd's {@code GET /v1/locations?near=..} is driven.
     */
    RedisResult clientsNear(int rate, int seconds, int connections, int radiusKm, int count) throws Exception {
        long intervalNanos = (long) (1e9 * connections / rate);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        return measured("redis-near", connections, start, seconds, (c, j, end, mine, done) -> {
            SplittableRandom random = new SplittableRandom(200 + c);
            long due = start + intervalNanos * c / connections;
            while (due < end) {
                long now = System.nanoTime();
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                }
                j.sendCommand(Protocol.Command.GEOSEARCH, "clients", "FROMLONLAT", String.valueOf(random.nextDouble(-180, 180)),
                        String.valueOf(random.nextDouble(-60, 70)), "BYRADIUS", String.valueOf(radiusKm), "km", "ASC",
                        "COUNT", String.valueOf(count));
                mine.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
                done.incrementAndGet();
                due += intervalNanos;
            }
        });
    }

    private static void query(Jedis j, String client, SplittableRandom random, boolean withGeopos) {
        String lng;
        String lat;
        if (withGeopos) {
            List<?> pos = (List<?>) j.sendCommand(Protocol.Command.GEOPOS, "clients", client);
            List<?> xy = (List<?>) pos.get(0);
            lng = new String((byte[]) xy.get(0));
            lat = new String((byte[]) xy.get(1));
        } else {
            lat = String.valueOf(random.nextDouble(-60, 70));
            lng = String.valueOf(random.nextDouble(-180, 180));
        }
        j.sendCommand(Protocol.Command.GEOSEARCH, "places", "FROMLONLAT", lng, lat, "BYRADIUS", "10", "km",
                "ASC", "COUNT", "5");
    }

    private long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
