package org.herd.node.replica;

import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.StoreQueryParameters;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.topology.HerdClientSupplier;
import org.herd.stream.topology.HerdQueries;
import org.herd.stream.store.HerdRocksDb;
import org.herd.stream.topology.HerdTopology;
import org.herd.stream.geo.ClientIndex;
import org.herd.stream.topology.StoreState;
import org.herd.stream.model.TopicNames;
import org.herd.stream.model.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * One full replica of the herd's state on a node: a Kafka Streams instance with its stores in a
 * directory of its own, the offsets it has applied, the places index, and the freshness barrier
 * over them. A node serves from one replica; a replay builds a second one and swaps it in.
 */
public final class Replica implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Replica.class);

    public final String node;
    public final Path dir;
    public final StoreState state;
    public final KafkaStreams streams;
    public final HerdQueries queries;
    public final FreshnessBarrier barrier;
    private final TopicNames topics;
    private final CompletableFuture<Void> running = new CompletableFuture<>();
    private volatile boolean failed;

    public Replica(HerdConfig config, String node, Path dir, EndOffsetsReader endOffsets, Executor workers, Map<String, Object> overrides,
            LongAdder staleReads) {
        this.node = node;
        this.dir = dir;
        this.topics = config.topics();
        this.state = StoreState.create(topics, new ClientIndex.ClientIndexLimits(config.get(Settings.CLIENTS_INDEX_MAX),
                config.get(Settings.CLIENTS_QUERY_SCAN_MAX), config.get(Settings.CLIENTS_INDEX_MAX_BYTES)));
        Map<String, Object> props = new HashMap<>(config.kafkaClientSettings());
        props.put(HerdRocksDb.BLOCK_CACHE_BYTES, (long) config.get(Settings.STORE_BLOCK_CACHE_MB) << 20);
        props.putAll(overrides);
        this.streams = new KafkaStreams(HerdTopology.build(topics, state), HerdTopology.streamsConfig(
                "herd-" + node.toLowerCase(Locale.ROOT), config.bootstrapServers(),
                dir.toAbsolutePath().toString(), props), new HerdClientSupplier(state, config.get(Settings.REPLICA_APPLY_PAUSE)));
        streams.setUncaughtExceptionHandler(e -> {
            log.error("node {}: Kafka Streams failed; this replica stops", node, e);
            failed = true;
            state.fail(new IllegalStateException("the replica of " + node + " failed", e));
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            log.info("node {}: streams {} -> {}", node, before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.complete(null);
            } else if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING
                    || now == KafkaStreams.State.PENDING_ERROR || now == KafkaStreams.State.PENDING_SHUTDOWN) {
                running.completeExceptionally(new IllegalStateException("Kafka Streams is " + now));
                state.fail(new IllegalStateException("the replica of " + node + " is " + now));
            }
        });
        this.queries = new HerdQueries(streams, state.placesIndex());
        this.barrier = new FreshnessBarrier(endOffsets::lookup,
                List.of(state.locationsApplied(), state.placesApplied(), state.fencesApplied()),
                config.get(Settings.READ_FRESHNESS_TIMEOUT), workers, staleReads);
    }

    /** Starts Streams and waits until the stores have applied the topics up to their current ends. */
    public void startAndCatchUp() throws InterruptedException, ExecutionException {
        streams.start();
        running.get();
        while (true) {
            try {
                barrier.catchUp().get(60, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                if (failed || !running.isDone() || running.isCompletedExceptionally()) {
                    throw new ExecutionException("replica of " + node + " failed while catching up", e);
                }
                log.warn("node {}: still catching up ({}); retrying", node, e.toString());
            }
        }
    }

    public boolean healthy() {
        return !failed && streams.state() == KafkaStreams.State.RUNNING;
    }

    public AppliedOffsets locationsApplied() {
        return state.locationsApplied();
    }

    public AppliedOffsets placesApplied() {
        return state.placesApplied();
    }

    public AppliedOffsets fencesApplied() {
        return state.fencesApplied();
    }

    /** Records applied so far, per topic and partition. */
    public Map<String, Map<Integer, Long>> applied() {
        Map<String, Map<Integer, Long>> m = new LinkedHashMap<>();
        m.put(topics.locations(), state.locationsApplied().positions());
        m.put(topics.places(), state.placesApplied().positions());
        m.put(topics.fences(), state.fencesApplied().positions());
        return m;
    }

    /**
     * What this replica holds: client, place and fence counts and a SHA-256 over every entry of
     * the stores, in key order. Equal digests mean equal state, whatever order records arrived in.
     */
    public ReplicaDigest digest() {
        MessageDigest sha = sha256();
        long clients = digestStore(Topics.LOCATION_STORE, sha);
        long places = digestStore(Topics.PLACE_STORE, sha);
        long fences = digestStore(Topics.FENCE_STORE, sha);
        return new ReplicaDigest(clients, places, fences, HexFormat.of().formatHex(sha.digest()));
    }

    /** See {@link #digest()}. */
    public record ReplicaDigest(long clients, long places, long fences, String sha256) {
    }

    private long digestStore(String name, MessageDigest sha) {
        ReadOnlyKeyValueStore<String, byte[]> store = streams.store(
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
        long n = 0;
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                byte[] key = kv.key.getBytes(StandardCharsets.UTF_8);
                sha.update(ByteBuffer.allocate(8).putInt(key.length).putInt(kv.value.length).array());
                sha.update(key);
                sha.update(kv.value);
                n++;
            }
        }
        return n;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(10));
        state.fail(new IllegalStateException("the replica of " + node + " is closed"));
    }
}
