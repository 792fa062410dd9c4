package org.herd.stream;

import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;

/**
 * Keeps each partition's applied position inside the store it describes, written with every
 * record. Kafka Streams flushes the store before it writes its own checkpoint, so after a restart
 * these positions are never behind the point from which Streams resumes.
 */
final class StoreOffsets {
    private StoreOffsets() {
    }

    /** Records that the record at {@code meta} has been applied (or skipped) to {@code store}. */
    static void markApplied(KeyValueStore<String, byte[]> store, AppliedOffsets applied, RecordMetadata meta) {
        long position = meta.offset() + 1;
        store.put(Topics.appliedOffsetKey(meta.partition()), ByteBuffer.allocate(Long.BYTES).putLong(position).array());
        applied.advance(meta.partition(), position);
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
