package org.herd.bench;

import org.herd.stream.model.Json;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** The load generators and Kafka baselines several phases share. */
final class Loads {
    private final BenchRun run;

    Loads(BenchRun run) {
        this.run = run;
    }

    /** Where the {@code i}-th IAMAT of connection {@code conn} says its client is. */
    interface Where {
        String at(int conn, long i);
    }

    /**
     * Load that is not measured: six JVMs that have just started spend much of their CPU compiling
     * their hot paths, which would be measured as the herd's cost otherwise.
     */
    void warmUp(boolean withBaseline) throws Exception {
        if (run.warmupSeconds <= 0) {
            return;
        }
        System.out.printf("warming up for %d s...%n", (withBaseline ? 3 : 2) * run.warmupSeconds);
        int measured = run.seconds;
        run.seconds = run.warmupSeconds;
        try {
            if (withBaseline) {
                baselineProducer(); // its figures are overwritten by the measured run
            }
            ingestLoad(run.nodes.size(), null);
            whatsatClosedLoop();
        } finally {
            run.seconds = measured;
        }
    }

    /** Kafka's own producer throughput for the same records, to a topic of the same shape. */
    double baselineProducer() throws Exception {
        String topic = run.baselineTopic();
        Map<String, Object> props = new HashMap<>(run.config.kafkaClientSettings());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        AtomicLong acked = new AtomicLong();
        Map<String, Long> cpu0 = run.cpu.snapshot();
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(run.seconds);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            long i = 0;
            while (System.nanoTime() < end) {
                String client = "base-" + (i % 10000);
                byte[] value = Json.encode(BenchRun.location(client, i++, "Alford"));
                p.send(new ProducerRecord<>(topic, client, value), (m, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    }
                });
            }
            p.flush();
        }
        double rate = acked.get() / ((System.nanoTime() - t0) / 1e9);
        Map<String, Long> perRecord = run.cpuPerOp(cpu0, acked.get());
        run.baselineCpuMicros = perRecord.getOrDefault("bench", 0L) + perRecord.getOrDefault("broker", 0L);
        run.baselineRate = rate;
        run.results.put("baselineProducerPerSecond", Math.round(rate));
        run.results.put("baselineProducerCpuMicrosPerRecord", perRecord);
        System.out.printf("Kafka producer: %,.0f records/s; CPU µs per record %s%n", rate, perRecord);
        return rate;
    }

    /** Ingest at the first {@code n} nodes, recorded under {@code key} and printed as {@code label}. */
    IngestRun measureIngest(int n, String key, String label) throws Exception {
        Map<String, Long> cpu0 = run.cpu.snapshot();
        Load load = ingestLoad(n, null);
        Map<String, Long> perUpdate = run.cpuPerOp(cpu0, load.ok());
        run.results.put(key + "PerSecond", Math.round(load.rate()));
        run.results.put(key + "LatencyMs", BenchRun.latencyMap(load.latency()));
        run.results.put(key + "CpuMicrosPerUpdate", perUpdate);
        System.out.printf("%s: %,.0f AT/s, %d errors, latency %s ms; CPU µs per update %s%n",
                label, load.rate(), load.errors(), BenchRun.pcts(load.latency()), perUpdate);
        return new IngestRun(load, perUpdate);
    }

    /**
     * Pipelined IAMATs over {@code connections} connections spread on the first {@code n} nodes,
     * for {@code seconds}, or in the background until {@code stopFlag} is set (then returns null).
     */
    Load ingestLoad(int n, AtomicBoolean stopFlag) throws Exception {
        return ingestLoad(n, stopFlag, (conn, i) -> "+34.068930-118.445127");
    }

    Load ingestLoad(int n, AtomicBoolean stopFlag, Where where) throws Exception {
        Recorder latency = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean stop = stopFlag != null ? stopFlag : new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        int conns = stopFlag != null ? Math.max(2, run.connections / 4) : run.connections;
        for (int c = 0; c < conns; c++) {
            int id = c;
            int port = run.config.tcpPort(run.nodes.get(c % n));
            Thread t = new Thread(() -> {
                try (PipelinedClient pc = new PipelinedClient(port, run.window, latency, ok, errors)) {
                    long i = 0;
                    while (!stop.get() && (stopFlag != null || System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(run.seconds))) {
                        pc.send("IAMAT ingest-" + BenchRun.RUN + "-" + id + "-" + (i % 5000) + " " + where.at(id, i) + " " + ((BenchRun.T0 - 150_000_000L) + i) + ".5",
                                false, System.nanoTime());
                        i++;
                        if (i % 16 == 0) {
                            pc.flush();
                        }
                    }
                    pc.flush();
                    pc.drain(run.window);
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            }, "ingest-" + c);
            threads.add(t);
            t.start();
        }
        if (stopFlag != null) {
            run.background.addAll(threads);
            return null;
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Load(ok.get(), errors.get(), (System.nanoTime() - t0) / 1e9, latency.getIntervalHistogram());
    }

    /** Kafka's own end-to-end latency: produce (acks=all) then consume, one record at a time. */
    Histogram kafkaEndToEnd(int samples) throws Exception {
        String topic = run.baselineTopic();
        Map<String, Object> pp = new HashMap<>(run.config.kafkaClientSettings());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Map<String, Object> cp = new HashMap<>(run.config.kafkaClientSettings());
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
                p.send(new ProducerRecord<>(topic, 0, "e2e", Json.encode(BenchRun.location("e2e", i, "Alford")))).get();
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
        run.results.put("kafkaEndToEndMs", BenchRun.latencyMap(h));
        System.out.printf("Kafka end-to-end: %s ms%n", BenchRun.pcts(h));
        return h;
    }

    /** WHATSATs for random known clients at {@code whatsatRate} over 16 connections, from one thread. */
    Load whatsatOpenLoop() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        OpenLoopDriver.OpenLoopResult r = OpenLoopDriver.run(run.config.tcpPort(run.nodes.get(0)), 16, run.whatsatRate, run.seconds, true,
                i -> "WHATSAT load-" + random.nextInt(run.knownClients) + ".example 10 5");
        if (r.late() > 0) {
            System.out.printf("(the load generator sent %,d queries more than 1 ms late)%n", r.late());
        }
        run.results.put("whatsatAt" + run.whatsatRate + "SentLate", r.late());
        return new Load(r.ok(), r.errors(), r.seconds(), r.latency());
    }

    /**
     * WHATSATs for random known clients at the first node over 16 connections, closed-loop: as
     * fast as it goes, {@code window} in flight on each.
     */
    Load whatsatClosedLoop() throws Exception {
        int port = run.config.tcpPort(run.nodes.get(0));
        Recorder latency = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        int conns = 16;
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(run.seconds);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < conns; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(id);
                try (PipelinedClient pc = new PipelinedClient(port, run.window, latency, ok, errors)) {
                    while (System.nanoTime() < end) {
                        String client = "load-" + random.nextInt(run.knownClients) + ".example";
                        pc.send("WHATSAT " + client + " 10 5", true, System.nanoTime());
                        pc.flush();
                    }
                    pc.drain(run.window);
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
}
