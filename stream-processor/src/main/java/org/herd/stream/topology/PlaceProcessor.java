package org.herd.stream.topology;

import org.herd.stream.model.Json;
import org.herd.stream.model.Place;
import org.herd.stream.model.PlaceRules;
import org.herd.stream.geo.PlacesIndex;
import org.herd.stream.model.Topics;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.store.SkippedRecords;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies the places topic to the place store and the in-memory {@link PlacesIndex}: a record
 * adds or replaces the place with its key; a null value (tombstone) deletes it. On start the index
 * is loaded from the store, which survives restarts.
 */
final class PlaceProcessor implements Processor<String, byte[], Void, Void> {
    private final AppliedOffsets applied;
    private final PlacesIndex index;
    private final SkippedRecords skipped;
    private KeyValueStore<String, byte[]> store;
    private ProcessorContext<Void, Void> context;

    PlaceProcessor(AppliedOffsets applied, PlacesIndex index, SkippedRecords skipped) {
        this.applied = applied;
        this.index = index;
        this.skipped = skipped;
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
                    Place p = Json.decodeOrNull(it.next().value, Place.class);
                    if (p != null) {
                        index.upsert(p);
                    }
                }
            }
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String id = record.key();
        if (id != null && Topics.isLegacySeedMarker(id)) {
            // a seed-complete marker of a herd seeded before the seeds topic existed: not a place
        } else if (!PlaceRules.isValidId(id)) {
            skip(SkippedRecords.Reason.BAD_KEY, id);
        } else if (record.value() == null) {
            store.delete(id);
            index.delete(id);
        } else {
            Place place = Json.decodeOrNull(record.value(), Place.class);
            if (place == null) {
                skip(SkippedRecords.Reason.NOT_DECODABLE, id);
            } else if (PlaceRules.isValid(place) && id.equals(place.id())) {
                store.put(id, record.value());
                index.upsert(place);
            } else {
                skip(SkippedRecords.Reason.INVALID, id);
            }
        }
        // applied or skipped, the record counts as applied; the store keeps the positions
        context.recordMetadata().ifPresent(meta -> applied.advance(meta.partition(), meta.offset() + 1));
    }

    private void skip(SkippedRecords.Reason reason, String key) {
        skipped.count(reason, key);
    }
}
