package org.herd.stream.fence;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.herd.stream.AppliedOffsets;
import org.herd.stream.HerdTopology;
import org.herd.stream.SkippedRecords;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The event derivation, a Kafka Streams application shared by the running nodes (one
 * application id, so the locations topic's partitions are spread over them and move when one
 * dies), exactly once:
 *
 * <pre>
 *   herd.fences    --FenceApplier--> derivation-fence-store + FenceIndex   (global: every node holds every fence)
 *   herd.locations --FenceDetector (fence-positions, changelogged)--> herd.events (keyed by client)
 * </pre>
 */
public final class FenceTopology {
    public static final String FENCE_STORE = "derivation-fence-store";

    private FenceTopology() {
    }

    /** The topics and the state the derivation uses. */
    public record Parts(String locations, String fences, String events, FenceIndex index, FenceParser parser,
                        SkippedRecords locationsSkipped, SkippedRecords fencesSkipped, AppliedOffsets fencesApplied) {
    }

    public static Topology build(Parts p) {
        StreamsBuilder builder = new StreamsBuilder();
        AtomicBoolean loaded = new AtomicBoolean();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FENCE_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled().withCachingDisabled(),
                p.fences(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("derivation-fences-source"),
                () -> new FenceApplier(FENCE_STORE, p.index(), p.parser(), p.fencesApplied(), p.fencesSkipped(), loaded));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(FenceDetector.POSITIONS_STORE), Serdes.String(), Serdes.ByteArray()));
        builder.stream(p.locations(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("derivation-locations-source"))
                .process(() -> new FenceDetector(p.index(), p.locationsSkipped(), p.locations()), FenceDetector.POSITIONS_STORE)
                .to(p.events(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("events-sink"));
        return builder.build();
    }

    /**
     * Streams configuration of the derivation: exactly once, one standby replica of each task's
     * positions, read-committed input. {@code overrides} win.
     */
    public static Properties streamsConfig(String applicationId, String bootstrapServers, String stateDir,
                                           Map<String, ?> overrides) {
        Properties props = HerdTopology.baseConfig(applicationId, bootstrapServers, stateDir, overrides);
        props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        // events are visible to subscribers (read committed) when their transaction commits: every 10 ms,
        // and the loop turns at least every 10 ms (poll.ms), so that an event waits for no longer timer.
        // Not 0 (a commit after every poll): under load the derivation then falls far behind, a transaction
        // every few records (docs/performance.md, "Fences")
        props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 10);
        props.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, 10);
        props.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.putIfAbsent(StreamsConfig.globalConsumerPrefix("isolation.level"), "read_committed");
        return props;
    }
}
