package org.herd.stream.fence;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.store.StreamsDefaults;
import org.herd.stream.store.SkippedRecords;

import java.time.Duration;
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
                        SkippedRecords locationsSkipped, SkippedRecords fencesSkipped, AppliedOffsets fencesApplied,
                        DeferredCommits commits) {
    }

    /** The most often an update's events ask for a commit of their own (see {@link FenceDetector}). */
    public static final Duration EVENT_COMMIT_GAP = Duration.ofMillis(10);

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
                .process(() -> new FenceDetector(p.index(), p.locationsSkipped(), p.locations(), p.commits()), FenceDetector.POSITIONS_STORE)
                .to(p.events(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("events-sink"));
        return builder.build();
    }

    /**
     * Streams configuration of the derivation: exactly once, one standby replica of each task's
     * positions, read-committed input. {@code overrides} win.
     */
    public static Properties streamsConfig(String applicationId, String bootstrapServers, String stateDir,
                                           Map<String, ?> overrides) {
        Properties props = StreamsDefaults.base(applicationId, bootstrapServers, stateDir, overrides);
        props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        // an update that produced events commits at once (FenceDetector asks for it); one that only moved a
        // client's position waits for this interval, so that a lone write does not pay for a transaction (each
        // is several broker requests and log writes that the herd's writes queue behind; docs/performance.md).
        // The loop turns at least every poll.ms when idle; records wake it at once.
        props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        props.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, 100);
        props.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.putIfAbsent(StreamsConfig.globalConsumerPrefix("isolation.level"), "read_committed");
        return props;
    }
}
