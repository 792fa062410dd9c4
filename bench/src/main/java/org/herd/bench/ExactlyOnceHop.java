package org.herd.bench;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Kafka's own floor for what a fence event goes through: a record produced ({@code acks=all}),
 * read by a relay that writes a record derived from it and commits its input offset in the same
 * transaction ({@code sendOffsetsToTransaction}, one transaction per poll, as Kafka Streams does
 * under exactly_once_v2), and read {@code read_committed} at the other end. Plain clients only,
 * one record at a time; the time from each send to its derived record's arrival.
 */
final class ExactlyOnceHop {
    private ExactlyOnceHop() {
    }

    /** {@code createTopic}: makes (or finds) a scratch topic of that name and returns its name. */
    static Histogram measure(Map<String, Object> clientSettings, Function<String, String> createTopic,
                             String run, int samples) throws Exception {
        String in = createTopic.apply("herd.bench.eos-in");
        String out = createTopic.apply("herd.bench.eos-out");
        TopicPartition inPart = new TopicPartition(in, 0);
        TopicPartition outPart = new TopicPartition(out, 0);

        Map<String, Object> pp = new HashMap<>(clientSettings);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        Map<String, Object> relayConsumerProps = new HashMap<>(clientSettings);
        relayConsumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "herd-bench-eos-" + run);
        relayConsumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        relayConsumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        relayConsumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        Map<String, Object> relayProducerProps = new HashMap<>(pp);
        relayProducerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "herd-bench-eos-" + run);
        Map<String, Object> readerProps = new HashMap<>(clientSettings);
        readerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        readerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);

        Histogram h = new Histogram(3);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> relayIn = new KafkaConsumer<>(relayConsumerProps, new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> relayOut = new KafkaProducer<>(relayProducerProps, new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(readerProps, new StringDeserializer(), new ByteArrayDeserializer())) {
            relayOut.initTransactions();
            relayIn.assign(List.of(inPart));
            relayIn.seekToEnd(List.of(inPart));
            relayIn.position(inPart);
            reader.assign(List.of(outPart));
            reader.seekToEnd(List.of(outPart));
            reader.position(outPart);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<RuntimeException> failed = new AtomicReference<>();
            Thread relay = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        relay(relayIn, relayOut, out);
                    }
                } catch (RuntimeException e) {
                    failed.set(e);
                }
            }, "eos-relay");
            relay.start();
            try {
                for (int i = -samples / 4; i < samples; i++) { // the first quarter warms the clients, unmeasured
                    long t0 = System.nanoTime();
                    producer.send(new ProducerRecord<>(in, 0, "hop", ("record " + i).getBytes())).get();
                    awaitOne(reader, failed);
                    if (i >= 0) {
                        h.recordValue((System.nanoTime() - t0) / 1000);
                    }
                }
            } finally {
                stop.set(true);
                relay.join();
            }
        }
        return h;
    }

    /** One relay turn: what one poll brings is written, with its offsets, in one transaction. */
    private static void relay(KafkaConsumer<String, byte[]> in, KafkaProducer<String, byte[]> out, String outTopic) {
        ConsumerRecords<String, byte[]> records = in.poll(Duration.ofMillis(100));
        if (records.isEmpty()) {
            return;
        }
        out.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            out.send(new ProducerRecord<>(outTopic, 0, r.key(), r.value()));
            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        out.sendOffsetsToTransaction(offsets, in.groupMetadata());
        out.commitTransaction();
    }

    private static void awaitOne(KafkaConsumer<String, byte[]> reader, AtomicReference<RuntimeException> relayFailure) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (relayFailure.get() != null) {
                throw relayFailure.get();
            }
            if (!reader.poll(Duration.ofMillis(200)).isEmpty()) {
                return;
            }
        }
        throw new IllegalStateException("no derived record within 30 s");
    }
}
