package org.herd.stream;

import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;

/**
 * Each partition's applied position, kept inside the store it describes ({@link
 * PositionKeepingStore} writes it on every flush, before Kafka Streams writes its checkpoint),
 * so after a restart these positions are never behind the point from which Streams resumes.
 */
final class StoreOffsets {
    private StoreOffsets() {
    }

    /** Records that the record at {@code meta} has been applied (or skipped). */
    static void markApplied(AppliedOffsets applied, RecordMetadata meta) {
        applied.advance(meta.partition(), meta.offset() + 1);
    }

    static void load(KeyValueStore<String, byte[]> store, AppliedOffsets into) {
        String prefix = Topics.APPLIED_OFFSET_KEY_PREFIX;
        try (KeyValueIterator<String, byte[]> it = store.range(prefix, prefix + "\uffff")) {
            while (it.hasNext()) {
                var kv = it.next();
                int partition = Integer.parseInt(kv.key.substring(prefix.length()));
                into.advance(partition, ByteBuffer.wrap(kv.value).getLong());
            }
        }
    }
}
