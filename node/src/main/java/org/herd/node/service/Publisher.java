package org.herd.node.service;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Publishes records durably: idempotent producer, {@code acks=all}, and a delivery timeout, so
 * that a returned future completes only once every in-sync replica has the record, or fails
 * within the write timeout. {@code send} runs on its own thread because it may block while the
 * producer waits for metadata or buffer space; callers never block.
 */
public final class Publisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final long writeTimeoutNanos;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "herd-publisher");
        t.setDaemon(true);
        return t;
    });

    public Publisher(Map<String, Object> clientSettings, String clientId, Duration writeTimeout) {
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.writeTimeoutNanos = writeTimeout.toNanos();
        int timeout = (int) writeTimeout.toMillis();
        int linger = Integer.parseInt(String.valueOf(props.get(ProducerConfig.LINGER_MS_CONFIG)));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        // the producer requires delivery.timeout.ms >= linger.ms + request.timeout.ms
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, timeout - linger));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Completes with the record's partition and offset once it is durable, or exceptionally.
     * Records are handed to the producer in the order of the calls. A record still queued here
     * when its write timeout has passed (the producer blocked on an unreachable broker) is never
     * sent: its writer was already told it failed, and must not see it published much later.
     */
    public CompletableFuture<RecordMetadata> publish(String topic, String key, byte[] value) {
        return publish(topic, key, value, null);
    }

    /** As {@link #publish(String, String, byte[])}, with the record's timestamp ({@code null}: now). */
    public CompletableFuture<RecordMetadata> publish(String topic, String key, byte[] value, Long timestamp) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + writeTimeoutNanos;
        sender.execute(() -> {
            if (System.nanoTime() - deadline > 0) {
                result.completeExceptionally(new TimeoutException("not sent: the write timed out while queued"));
                return;
            }
            try {
                producer.send(new ProducerRecord<>(topic, null, timestamp, key, value), (meta, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(meta);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Override
    public void close() {
        sender.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
