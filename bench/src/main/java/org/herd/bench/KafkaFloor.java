package org.herd.bench;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One process of the plain-Kafka floor for clients spread over a herd: what a herd node's write
 * path costs with nothing but Kafka's clients. A producer ({@code acks=all}, idempotent,
 * {@code linger.ms=0}), a consumer of every partition into a map (as a node's store), and client
 * threads that each send a record, wait for the ack, then wait until this process's consumer has
 * applied it (as an AT waits). Run one per node, at once; each prints its count and latency
 * histogram (µs) on one line, {@code FLOOR <count> <base64 histogram>}, for the bench to merge.
 *
 * <p>Arguments: bootstrap servers, topic, client threads, start (epoch ms: measuring starts
 * then), seconds measured, warm-up seconds before the start.
 */
public final class KafkaFloor {
    private KafkaFloor() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int threads = Integer.parseInt(args[2]);
        long startAtMillis = Long.parseLong(args[3]);
        int seconds = Integer.parseInt(args[4]);
        String id = ProcessHandle.current().pid() + "";

        Map<String, Object> pp = new HashMap<>();
        pp.put("bootstrap.servers", bootstrap);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        Map<String, Object> cp = new HashMap<>();
        cp.put("bootstrap.servers", bootstrap);
        cp.put("enable.auto.commit", false);
        Map<String, byte[]> store = new ConcurrentHashMap<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            AtomicLongArray applied = new AtomicLongArray(parts.size());
            for (TopicPartition tp : parts) {
                applied.set(tp.partition(), consumer.position(tp));
            }
            Object appliedChanged = new Object();
            long end = startAtMillis + TimeUnit.SECONDS.toMillis(seconds);
            Thread poller = new Thread(() -> {
                while (System.currentTimeMillis() < end + 2000) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        store.put(r.key(), r.value());
                        applied.set(r.partition(), r.offset() + 1);
                    }
                    synchronized (appliedChanged) {
                        appliedChanged.notifyAll();
                    }
                }
            }, "floor-consumer");
            poller.start();
            Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            long[] counts = new long[threads];
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                Thread c = new Thread(() -> {
                    Histogram mine = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
                    String key = "floor-" + id + "-" + me;
                    long i = 0;
                    try {
                        while (System.currentTimeMillis() < end) {
                            long t0 = System.nanoTime();
                            RecordMetadata meta = producer.send(new ProducerRecord<>(topic, key,
                                    ("{\"i\":" + i++ + "}").getBytes())).get();
                            synchronized (appliedChanged) {
                                while (applied.get(meta.partition()) <= meta.offset()) {
                                    appliedChanged.wait(100);
                                }
                            }
                            if (System.currentTimeMillis() >= startAtMillis) {
                                mine.recordValue((System.nanoTime() - t0) / 1000);
                                counts[me]++;
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    synchronized (all) {
                        all.add(mine);
                    }
                }, "floor-client-" + t);
                clients.add(c);
                c.start();
            }
            for (Thread c : clients) {
                c.join();
            }
            poller.join();
            long count = 0;
            for (long n : counts) {
                count += n;
            }
            ByteBuffer buf = ByteBuffer.allocate(all.getNeededByteBufferCapacity());
            int len = all.encodeIntoCompressedByteBuffer(buf);
            byte[] bytes = new byte[len];
            buf.flip();
            buf.get(bytes);
            System.out.println("FLOOR " + count + " " + Base64.getEncoder().encodeToString(bytes) + " " + store.size());
        }
    }
}
