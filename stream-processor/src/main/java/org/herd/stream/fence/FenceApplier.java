package org.herd.stream.fence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.model.Json;
import org.herd.stream.store.SkippedRecords;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Applies the fences topic to a fence store and its in-memory {@link FenceIndex}: a record is a
 * fence (validated as a {@code PUT} body is; one that is not valid is skipped and counted), a
 * tombstone deletes. The store keeps each fence with the time it was stored (its record's
 * timestamp), so the index is rebuilt from the store on start. Used by each node's replica (for
 * the fences API) and by the event derivation.
 */
public final class FenceApplier implements Processor<String, byte[], Void, Void> {
    private final String storeName;
    private final FenceIndex index;
    private final FenceParser parser;
    private final AppliedOffsets applied;
    private final SkippedRecords skipped;
    private final AtomicBoolean loaded;
    private KeyValueStore<String, byte[]> store;
    private ProcessorContext<Void, Void> context;

    /**
     * {@code loaded}: shared by the processors of one index (the one that restores and the one
     * that runs afterwards), so the index is filled from the store once.
     */
    public FenceApplier(String storeName, FenceIndex index, FenceParser parser, AppliedOffsets applied,
                        SkippedRecords skipped, AtomicBoolean loaded) {
        this.storeName = storeName;
        this.index = index;
        this.parser = parser;
        this.applied = applied;
        this.skipped = skipped;
        this.loaded = loaded;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        if (loaded.compareAndSet(false, true)) {
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                while (it.hasNext()) {
                    var kv = it.next();
                    StoredFence s = decode(kv.key, kv.value);
                    if (s != null) {
                        index.put(s.fence(), s.since());
                    }
                }
            }
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String id = record.key();
        if (!FenceParser.isValidId(id)) {
            skipped.count(SkippedRecords.Reason.BAD_KEY, id);
        } else if (record.value() == null) {
            store.delete(id);
            index.remove(id);
        } else if (parser.parseRecord(id, record.value()) instanceof FenceParser.Valid v) {
            store.put(id, encode(v.fence(), record.timestamp()));
            index.put(v.fence(), record.timestamp());
        } else {
            skipped.count(SkippedRecords.Reason.INVALID, id);
        }
        context.recordMetadata().ifPresent(meta -> applied.advance(meta.partition(), meta.offset() + 1));
    }

    /** A fence as a store keeps it: the fence's JSON and the time it was stored. */
    public record StoredFence(Fence fence, long since) {
    }

    static byte[] encode(Fence fence, long since) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("since", since);
        o.set("fence", fence.toJson());
        return Json.encode(o);
    }

    /** Reads a stored fence; null if it cannot be read (not expected: only valid fences are stored). */
    public StoredFence decode(String id, byte[] value) {
        try {
            JsonNode o = Json.MAPPER.readTree(value);
            if (parser.parseRecord(id, Json.encode(o.get("fence"))) instanceof FenceParser.Valid v) {
                return new StoredFence(v.fence(), o.path("since").asLong());
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return null;
    }
}
