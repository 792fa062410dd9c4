package org.herd.bench;

import org.herd.node.config.Settings;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Fences put and deleted, the derivation's progress, and fence event latency (phases fences, fence-latency, core). */
final class FenceMeasures {
    private final BenchRun run;

    FenceMeasures(BenchRun run) {
        this.run = run;
    }

    // --- fences ----------------------------------------------------------------------------------

    /** The square the fence phase's fences and moving clients are in: latitude and longitude 10 to 20. */
    static String inSquare(int conn, long i) {
        SplittableRandom r = new SplittableRandom(conn * 1_000_003L + i);
        return String.format("%+.6f%+.6f", 10 + r.nextDouble() * 10, 10 + r.nextDouble() * 10);
    }

    /** PUTs (or DELETEs) the phase's fences, 16 requests at a time spread over the nodes. */
    void putFences(int count, boolean delete) throws Exception {
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
            URI uri = URI.create("http://127.0.0.1:" + run.config.httpPort(run.running.get(i % run.running.size())) + "/v1/fences/bench-f-" + i);
            HttpRequest req = delete ? HttpRequest.newBuilder(uri).DELETE().build()
                    : HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString(body)).build();
            inFlight.acquire();
            run.http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, e) -> {
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

    /** Waits until every derivation member holds {@code count} fences. */
    void awaitDerivationHolds(int count) throws Exception {
        for (String n : run.running) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (run.status(n).has("derivation") && run.status(n).path("derivation").path("fences").asInt() != count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(n + "'s derivation does not hold " + count + " fences");
                }
                Thread.sleep(200); // polling the node's status
            }
        }
    }

    /**
     * Seconds until the derivation's committed input offsets reach the locations topic's end as of
     * now: how far behind the ingest it was when the ingest ended (0: it kept up).
     */
    double derivationCatchUpSeconds() throws Exception {
        long t0 = System.nanoTime();
        try (Admin kafkaAdmin = Admin.create(run.config.kafkaClientSettings())) {
            String topic = run.config.topics().locations();
            var partitions = kafkaAdmin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            var ends = kafkaAdmin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(p -> p,
                    p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
            long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
            while (true) {
                var committed = kafkaAdmin.listConsumerGroupOffsets(run.config.get(Settings.FENCES_APPLICATION_ID))
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
    IngestRun measureIngestWhere(String key, String label) throws Exception {
        Map<String, Long> cpu0 = run.cpu.snapshot();
        Load load = run.loads.ingestLoad(run.nodes.size(), null, FenceMeasures::inSquare);
        double behind = derivationCatchUpSeconds();
        Map<String, Long> perUpdate = run.cpuPerOp(cpu0, load.ok());
        run.results.put(key + "PerSecond", Math.round(load.rate()));
        run.results.put(key + "CpuMicrosPerUpdate", perUpdate);
        run.results.put(key + "DerivationBehindSeconds", behind);
        System.out.printf("%s: %,.0f AT/s, %d errors, latency %s ms; derivation done %.1f s after; CPU µs per update %s%n",
                label, load.rate(), load.errors(), BenchRun.pcts(load.latency()), behind, perUpdate);
        return new IngestRun(load, perUpdate, behind);
    }

    /**
     * IAMAT-to-SSE event latency against Kafka's end-to-end latency and against Kafka's floor for
     * an exactly-once hop (produce, consume, produce and commit in a transaction, read committed),
     * measured one after the other.
     */
    void eventLatency(String label) throws Exception {
        Histogram kafka = run.loads.kafkaEndToEnd(400);
        Histogram hop = ExactlyOnceHop.measure(run.config.kafkaClientSettings(), name -> {
            try {
                return run.scratchTopic(name, 1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, String.valueOf(BenchRun.RUN), 300);
        run.results.put("kafkaExactlyOnceHopMs", BenchRun.latencyMap(hop));
        System.out.printf("Kafka exactly-once hop: %s ms%n", BenchRun.pcts(hop));
        Histogram sse = atToSse(300);
        run.results.put("fenceEventLatencyMs", BenchRun.latencyMap(sse));
        run.row(label, BenchRun.pcts(sse), BenchRun.pcts(kafka) + " (Kafka end-to-end); " + BenchRun.pcts(hop) + " (Kafka exactly-once hop)",
                String.format("p99 %.1fx end-to-end, %.1fx exactly-once hop", (double) sse.getValueAtPercentile(99) / kafka.getValueAtPercentile(99),
                        (double) sse.getValueAtPercentile(99) / hop.getValueAtPercentile(99)));
    }

    /**
     * One client stepping in and out of a fence of its own at the first node, one IAMAT at a time;
     * a Server-Sent Events subscriber of that fence at the second node: the time from sending each
     * IAMAT to its event (every step is an enter or an exit).
     */
    Histogram atToSse(int samples) throws Exception {
        String fence = "bench-latency-" + BenchRun.RUN;
        int put = run.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + run.config.httpPort(run.nodes.get(0)) + "/v1/fences/" + fence))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"circle\": {\"lat\": 0.5, \"lng\": 0.5, \"radius\": 1000}}")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        if (put != 200) {
            throw new IllegalStateException("the latency fence was refused: " + put);
        }
        java.util.concurrent.BlockingQueue<Long> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
        HttpResponse<java.util.stream.Stream<String>> stream = run.http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + run.config.httpPort(run.nodes.get(1 % run.nodes.size())) + "/v1/fences/" + fence + "/events")).build(),
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
        try (LineConn c = new LineConn(run.config.tcpPort(run.nodes.get(0)))) {
            for (int i = -samples / 5; i < samples; i++) { // the first fifth unmeasured
                String where = (i & 1) == 0 ? "+0.500000+0.500000" : "+0.600000+0.600000";
                long t0 = System.nanoTime();
                String reply = c.ask("IAMAT bench-latency-client-" + BenchRun.RUN + " " + where + " " + ((BenchRun.T0 - 50_000_000L) + i + samples) + ".5");
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
            run.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + run.config.httpPort(run.nodes.get(0)) + "/v1/fences/" + fence))
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        }
        System.out.printf("IAMAT to SSE event: %s ms%n", BenchRun.pcts(h));
        return h;
    }
}
