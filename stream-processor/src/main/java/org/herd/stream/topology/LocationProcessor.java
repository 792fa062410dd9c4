package org.herd.stream.topology;

import org.herd.stream.geo.ClientIndex;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import org.herd.stream.model.LocationRules;
import org.herd.stream.model.Topics;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.store.SkippedRecords;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies the locations topic to the location store: for each client, the update with the newest
 * client time wins; an update that is not newer changes nothing. Records that are not valid
 * locations are skipped (and logged), never fatal. Also called for every record when the store is
 * restored from the topic, so the rule holds after a restart or a rebuild too. Keeps the
 * {@link ClientIndex} of newest positions beside the store: filled from the store once when the
 * replica starts, then moved with every update that wins.
 */
final class LocationProcessor implements Processor<String, byte[], Void, Void> {
    private final AppliedOffsets applied;
    private final SkippedRecords skipped;
    private final ClientIndex index;
    private KeyValueStore<String, byte[]> store;
    private ProcessorContext<Void, Void> context;

    LocationProcessor(AppliedOffsets applied, SkippedRecords skipped, ClientIndex index) {
        this.applied = applied;
        this.skipped = skipped;
        this.index = index;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(Topics.LOCATION_STORE);
        if (index.claimLoading()) {
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                while (it.hasNext()) {
                    Location l = Json.decodeOrNull(it.next().value, Location.class);
                    if (l != null) {
                        index.put(l.client(), l.lat(), l.lng());
                    }
                }
            }
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String client = record.key();
        boolean goodKey = LocationRules.isValidClientId(client);
        Location incoming = goodKey ? Json.decodeOrNull(record.value(), Location.class) : null;
        if (!goodKey) {
            skip(SkippedRecords.Reason.BAD_KEY, client);
        } else if (incoming == null) {
            skip(SkippedRecords.Reason.NOT_DECODABLE, client);
        } else if (!LocationRules.isValid(incoming) || !client.equals(incoming.client())
                || !LocationRules.isNotFarAheadOfRecord(incoming, record.timestamp())) {
            skip(SkippedRecords.Reason.INVALID, client);
        } else {
            Location stored = Json.decodeOrNull(store.get(client), Location.class);
            if (incoming.supersedes(stored)) {
                store.put(client, record.value());
                index.put(client, incoming.lat(), incoming.lng());
            }
        }
        // applied or skipped, the record counts as applied; the store keeps the positions
        context.recordMetadata().ifPresent(meta -> applied.advance(meta.partition(), meta.offset() + 1));
    }

    private void skip(SkippedRecords.Reason reason, String key) {
        skipped.count(reason, key);
    }
}
