package org.herd.stream.store;

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
 *
 * <p>It also paces a trickle of records ({@link TricklePacer}, {@code replica.apply.pause.ms}):
 * each write would otherwise wake every node's replica at once, on a machine where those
 * wake-ups compete with the write's own acknowledgement. Positions are published before the
 * pause, so a read waits only for records that came during it.
 */
public final class PositionFollowingConsumer extends KafkaConsumer<byte[], byte[]> {
    private final Function<String, AppliedOffsets> appliedOf;
    private final Map<TopicPartition, Long> seen = new HashMap<>();
    private final TricklePacer pacer;

    /**
     * {@code appliedOf}: the applied positions of a topic, or null for a topic not followed.
     * {@code pause}: after a poll that returned some records but not a full batch (a trickle of
     * updates, not a catch-up), the next poll waits until this long after it before fetching, so
     * that a trickle is applied a few records per wake-up instead of one (zero: never waits).
     */
    public PositionFollowingConsumer(Map<String, Object> config, Function<String, AppliedOffsets> appliedOf,
                                     Duration pause) {
        super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.appliedOf = appliedOf;
        this.pacer = TricklePacer.forConsumer(config, pause);
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
        pacer.awaitTurn();
        ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
        pacer.polled(records.count());
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
