package org.herd.stream.topology;

import org.herd.stream.store.HerdRocksDb;
import org.herd.stream.store.StreamsDefaults;

import org.herd.stream.model.TopicNames;
import org.herd.stream.model.Topics;
import org.herd.stream.store.PositionKeepingStore;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.Stores;
import org.herd.stream.fence.FenceApplier;
import org.herd.stream.fence.FenceParser;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The herd's topology: three global stores, so that every node holds a full replica.
 *
 * <pre>
 *   herd.locations --LocationProcessor--> location-store  (newest client time per client)
 *   herd.places    --PlaceProcessor-----> place-store + PlacesIndex
 *   herd.fences    --FenceApplier-------> fence-store + FenceIndex
 * </pre>
 *
 * Global stores are fed by a consumer that reads every partition (no consumer group, so no
 * rebalances) and are restored by replaying the topic through the same processors. Run it with
 * a {@link HerdClientSupplier}, whose consumer keeps the applied positions up with offsets that
 * hold no record (transaction markers).
 */
public final class HerdTopology {
    private HerdTopology() {
    }

    public static Topology build(TopicNames topics, StoreState state) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(PositionKeepingStore.supplier(Topics.LOCATION_STORE, state.locationsApplied()),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled(),
                topics.locations(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("locations-source"),
                () -> new LocationProcessor(state.locationsApplied(), state.locationsSkipped(), state.clientIndex()));
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(PositionKeepingStore.supplier(Topics.PLACE_STORE, state.placesApplied()),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled(),
                topics.places(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("places-source"),
                () -> new PlaceProcessor(state.placesApplied(), state.placesIndex(), state.placesSkipped()));
        AtomicBoolean fencesLoaded = new AtomicBoolean();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(PositionKeepingStore.supplier(Topics.FENCE_STORE, state.fencesApplied()),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled(),
                topics.fences(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("fences-source"),
                () -> new FenceApplier(Topics.FENCE_STORE, state.fenceIndex(), new FenceParser(), state.fencesApplied(),
                        state.fencesSkipped(), fencesLoaded));
        return builder.build();
    }

    /**
     * Streams configuration for one node. {@code overrides} win over the defaults, so tests and
     * production share this code path.
     */
    public static Properties streamsConfig(String applicationId, String bootstrapServers, String stateDir,
                                           Map<String, ?> overrides) {
        Properties props = StreamsDefaults.base(applicationId, bootstrapServers, stateDir, overrides);
        // Only global stores: records become visible as soon as they are applied.
        props.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // A poll returns as soon as records come, and the positions a poll saw are published when the next
        // starts, right after they are applied: neither the poll time nor the fetch wait delays a write's
        // visibility. Idle, they set how often the global thread wakes and how often it fetches.
        props.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, 100);
        props.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, HerdRocksDb.class);
        // records of aborted transactions (a transactional producer writing to a herd topic) are never applied
        props.putIfAbsent(StreamsConfig.globalConsumerPrefix("isolation.level"), "read_committed");
        return props;
    }
}
