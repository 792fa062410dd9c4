package org.herd.bench;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One replica of the plain-Kafka ingest floor: a consumer of every partition of a topic (no
 * group, from the end) that puts each record into a map by key, as a herd node's store does with
 * nothing but Kafka's client. Run one per node beside a producer. Prints {@code READY} once it
 * has its start positions, reads until its standard input ends (the bench closes it, or dies),
 * then prints {@code READ <records> <keys>}.
 *
 * <p>Arguments: bootstrap servers, topic.
 */
public final class PlainReplica {
    private PlainReplica() {
    }

    public static void main(String[] args) {
        Map<String, Object> cp = new HashMap<>();
        cp.put("bootstrap.servers", args[0]);
        cp.put("enable.auto.commit", false);
        String topic = args[1];
        AtomicBoolean stop = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent: only the end matters
                }
            } catch (IOException e) {
                // ended either way
            }
            stop.set(true);
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Map<String, byte[]> store = new HashMap<>();
        long read = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolve the end now, before the producer starts
            System.out.println("READY");
            System.out.flush();
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    store.put(r.key(), r.value());
                    read++;
                }
            }
        }
        System.out.println("READ " + read + " " + store.size());
    }
}
