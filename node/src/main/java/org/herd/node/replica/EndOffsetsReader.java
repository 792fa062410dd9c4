package org.herd.node.replica;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Looks up the end offsets of the herd's topics in one broker round trip. A plain consumer (no
 * group, never polls) keeps the partition leaders in its metadata, so a lookup is a single
 * {@code ListOffsets} request; the admin client's {@code listOffsets} asks for metadata first on
 * every call, which doubled the cost of each read's freshness check. A consumer is not
 * thread-safe, so it lives on a thread of its own and lookups queue there.
 */
public final class EndOffsetsReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<String> topics;
    private final Duration timeout;
    private final ExecutorService thread;
    /** Touched only on {@link #thread}. */
    private List<TopicPartition> partitions;

    public EndOffsetsReader(Map<String, Object> clientSettings, String clientId, List<String> topics, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        // as the stores' consumer reads: the end is the last stable offset, not past an open transaction
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topics = List.copyOf(topics);
        this.timeout = timeout;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, clientId);
            t.setDaemon(true);
            return t;
        });
    }

    /** The latest offset of every partition of every topic; fails after the timeout. */
    public CompletableFuture<Map<TopicPartition, Long>> lookup() {
        CompletableFuture<Map<TopicPartition, Long>> f = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    f.complete(consumer.endOffsets(partitions(), timeout));
                } catch (RuntimeException e) {
                    partitions = null; // look the partitions up again next time
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    private List<TopicPartition> partitions() {
        if (partitions == null) {
            List<TopicPartition> tps = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
                if (infos == null || infos.isEmpty()) {
                    throw new UnknownTopicOrPartitionException("topic " + topic + " has no partitions (yet)");
                }
                infos.forEach(p -> tps.add(new TopicPartition(p.topic(), p.partition())));
            }
            partitions = List.copyOf(tps);
        }
        return partitions;
    }

    @Override
    public void close() {
        consumer.wakeup(); // ends a lookup blocked on an unreachable broker
        thread.execute(() -> consumer.close(Duration.ofSeconds(5)));
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
