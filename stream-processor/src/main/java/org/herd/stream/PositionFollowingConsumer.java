package org.herd.stream;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The global stores' consumer, which also moves the applied positions to the consumer's own
 * position. A processor sees records, not offsets in between: a transaction's commit marker (any
 * transactional producer writing to a herd topic leaves one) or an aborted record takes an
 * offset no processor is called for, and the topic's end offset lies past it. Positions taken
 * from records alone would stop short of the end for good, and every fresh read would wait out
 * its timeout.
 *
 * <p>The global thread applies every record of a poll before it polls again (both while
 * running and while restoring), so the positions seen after one poll are applied by the start of
 * the next: that is when they are published.
 */
public final class PositionFollowingConsumer extends KafkaConsumer<byte[], byte[]> {
    private final Function<String, AppliedOffsets> appliedOf;
    private final Map<TopicPartition, Long> seen = new HashMap<>();

    PositionFollowingConsumer(Map<String, Object> config, StoreState state) {
        this(config, state::applied);
    }

    /** {@code appliedOf}: the applied positions of a topic, or null for a topic not followed. */
    public PositionFollowingConsumer(Map<String, Object> config, Function<String, AppliedOffsets> appliedOf) {
        super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.appliedOf = appliedOf;
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        seen.forEach((tp, position) -> {
            AppliedOffsets applied = appliedOf.apply(tp.topic());
            if (applied != null) {
                applied.advance(tp.partition(), position);
            }
        });
        seen.clear();
        ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
        for (TopicPartition tp : assignment()) {
            try {
                seen.put(tp, position(tp, Duration.ZERO));
            } catch (TimeoutException e) {
                // no position yet for this partition: nothing to publish
            }
        }
        return records;
    }
}
