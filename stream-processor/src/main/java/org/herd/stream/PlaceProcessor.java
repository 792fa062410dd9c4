package org.herd.stream;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the places topic to the place store and the in-memory {@link PlacesIndex}: a record
 * adds or replaces the place with its key; a null value (tombstone) deletes it. On start the index
 * is loaded from the store, which survives restarts.
 */
final class PlaceProcessor implements Processor<String, byte[], Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(PlaceProcessor.class);

    private final AppliedOffsets applied;
    private final PlacesIndex index;
    private KeyValueStore<String, byte[]> store;
    private ProcessorContext<Void, Void> context;

    PlaceProcessor(AppliedOffsets applied, PlacesIndex index) {
        this.applied = applied;
        this.index = index;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(Topics.PLACE_STORE);
        // The processor that replays the topic on restore and the one that runs afterwards share
        // one index: fill it from the store once.
        if (index.markLoaded()) {
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                while (it.hasNext()) {
                    var kv = it.next();
                    if (!Topics.isBookkeeping(kv.key)) {
                        Place p = Json.decodeOrNull(kv.value, Place.class);
                        if (p != null) {
                            index.upsert(p);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String id = record.key();
        if (id != null && Topics.isBookkeeping(id)) {
            // a marker such as the seed-complete record: not a place
        } else if (id == null || id.isEmpty()) {
            log.warn("skipping a place record without a key");
        } else if (record.value() == null) {
            store.delete(id);
            index.delete(id);
        } else {
            Place place = Json.decodeOrNull(record.value(), Place.class);
            if (PlaceRules.isValid(place) && id.equals(place.id())) {
                store.put(id, record.value());
                index.upsert(place);
            } else {
                log.warn("skipping a record that is not a valid place: key={}", id);
            }
        }
        // applied or skipped, the record counts as applied; the store keeps the positions
        context.recordMetadata().ifPresent(meta -> applied.advance(meta.partition(), meta.offset() + 1));
    }
}
