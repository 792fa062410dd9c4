package org.herd.node.replica;

import org.herd.node.telemetry.NodeMetrics;
import org.herd.stream.store.SkippedRecords;
import org.herd.stream.model.TopicNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The replica a node serves from, and its rebuilds. A replay builds a new replica beside the
 * serving one, from the topics; queries go on being answered from the old one until the new one
 * has caught up; then the new one takes over (also after a restart: {@link ReplicaDirectories})
 * and the old one is closed and deleted.
 */
public final class ServingReplica implements AutoCloseable {
    /** Makes a replica, not yet started, in a directory. */
    public interface Factory {
        Replica make(Path dir);
    }

    private static final Logger log = LoggerFactory.getLogger(ServingReplica.class);

    private final String node;
    private final ReplicaDirectories directories;
    private final Factory factory;
    private final Replay replay = new Replay();
    private volatile Replica current;

    public ServingReplica(String node, ReplicaDirectories directories, Factory factory) {
        this.node = node;
        this.directories = directories;
        this.factory = factory;
    }

    /** Starts the replica the state directory names (or a new one) and waits until it has caught up. */
    public void start() throws Exception {
        Replica r = factory.make(directories.current());
        current = r;
        r.startAndCatchUp();
    }

    /**
     * Gauges and counters of whichever replica serves: consumer lag, store entries, skipped
     * records; and a refresh of the end offsets every 5 s, so lag is current when no reads arrive.
     */
    public void exposeMetrics(NodeMetrics metrics, TopicNames topics, ScheduledExecutorService workers) {
        for (String topic : List.of(topics.locations(), topics.places())) {
            metrics.gauge("herd.consumer.lag", "Records in the topic not yet applied to this node's store",
                    () -> current.barrier.lag().getOrDefault(topic, 0L), "topic", topic);
        }
        String entries = "Entries in the store (RocksDB estimate for locations)";
        metrics.gauge("herd.store.entries", entries, () -> current.queries.approximateClientCount(), "store", "locations");
        metrics.gauge("herd.store.entries", entries, () -> current.queries.placeCount(), "store", "places");
        metrics.gauge("herd.clients.index.entries", "Clients in this node's who-is-near index (at most clients.index.max)",
                () -> current.state.clientIndex().size());
        metrics.gauge("herd.clients.index.bytes", "Estimated heap of this node's who-is-near index (at most clients.index.max.bytes)",
                () -> current.state.clientIndex().bytes());
        metrics.counter("herd.clients.index.left.out", "Updates of clients left out of the who-is-near index because it was full",
                () -> current.state.clientIndex().leftOut());
        String skipped = "Records the serving replica skipped as invalid (since it started)";
        for (SkippedRecords.Reason reason : SkippedRecords.Reason.values()) {
            String why = reason.name().toLowerCase(Locale.ROOT);
            metrics.counter("herd.skipped.records", skipped, () -> current.state.locationsSkipped().get(reason),
                    "topic", topics.locations(), "reason", why);
            metrics.counter("herd.skipped.records", skipped, () -> current.state.placesSkipped().get(reason),
                    "topic", topics.places(), "reason", why);
        }
        workers.scheduleWithFixedDelay(() -> current.barrier.refreshEndOffsets(), 5, 5, TimeUnit.SECONDS);
    }

    /** The replica serving now; null before {@link #start}. */
    public Replica get() {
        return current;
    }

    /** Starts a replay unless one is running; returns whether this call started it. */
    public synchronized boolean startReplay() {
        if (replay.running()) {
            return false;
        }
        replay.begin();
        Thread worker = new Thread(this::runReplay, "herd-" + node + "-replay");
        worker.setDaemon(true);
        worker.start();
        return true;
    }

    public Replay.ReplayStatus replayStatus() {
        return replay.status();
    }

    private void runReplay() {
        Replica fresh = null;
        try {
            Map<String, Long> target = replay.target(current.barrier.refreshEndOffsets().get(30, TimeUnit.SECONDS));
            log.info("node {}: replay started; {} records to apply", node, target);
            fresh = factory.make(directories.fresh());
            replay.building(fresh);
            fresh.startAndCatchUp();
            Replica old = current;
            directories.makeCurrent(fresh.dir);
            current = fresh;
            replay.finish(null);
            log.info("node {}: replay done; serving from {}", node, fresh.dir.getFileName());
            try {
                old.barrier.catchUp().get(5, TimeUnit.SECONDS); // let writes waiting on it finish
            } catch (Exception e) {
                log.debug("old replica did not catch up before closing: {}", e.toString());
            }
            old.close();
            ReplicaDirectories.deleteRecursively(old.dir);
        } catch (Exception e) {
            log.error("node {}: replay failed; still serving from the previous state", node, e);
            replay.finish(e);
            if (fresh != null) {
                fresh.close();
                try {
                    ReplicaDirectories.deleteRecursively(fresh.dir);
                } catch (IOException ignored) {
                    // left for the next replay or an operator
                }
            }
        }
    }

    /** Closes the serving replica and one being built. */
    @Override
    public void close() {
        Replica r = current;
        if (r != null) {
            r.close();
        }
        Replica building = replay.building();
        if (building != null && building != r) {
            building.close();
        }
    }
}
