package org.herd.node;

import org.herd.node.protocol.Command;
import org.herd.node.protocol.Replies;
import org.herd.stream.AppliedOffsets;
import org.herd.stream.HerdQueries;
import org.herd.stream.Json;
import org.herd.stream.Location;
import org.herd.stream.NearbyPlace;
import org.herd.stream.PlacesIndex;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * What a node does for IAMAT and WHATSAT, whatever protocol they came in by. Never blocks the
 * caller: every result is a future.
 */
public final class HerdService {
    /** A WHATSAT answer: the client's stored location and the places near it. */
    public record Nearby(Location location, List<NearbyPlace> places) {
    }

    private final String node;
    private final String locationsTopic;
    private final Publisher publisher;
    private final AppliedOffsets locationsApplied;
    private final FreshnessBarrier barrier;
    private final HerdQueries queries;
    private final Executor workers;
    private final Duration writeTimeout;

    public HerdService(String node, String locationsTopic, Publisher publisher, AppliedOffsets locationsApplied,
                       FreshnessBarrier barrier, HerdQueries queries, Executor workers, Duration writeTimeout) {
        this.node = node;
        this.locationsTopic = locationsTopic;
        this.publisher = publisher;
        this.locationsApplied = locationsApplied;
        this.barrier = barrier;
        this.queries = queries;
        this.workers = workers;
        this.writeTimeout = writeTimeout;
    }

    public String node() {
        return node;
    }

    /**
     * Publishes the update and completes with it once it is durable in Kafka and applied to this
     * node's store (so a WHATSAT here sees it). Fails if that does not happen within the write
     * timeout; the caller must then not acknowledge the update.
     */
    public CompletableFuture<Location> iamat(Command.Iamat cmd, Instant receivedAt) {
        Location location = new Location(cmd.client(), cmd.location(), cmd.lat(), cmd.lng(), cmd.time(), node,
                Replies.at(node, receivedAt, cmd));
        return publisher.publish(locationsTopic, cmd.client(), Json.encode(location))
                .thenCompose(meta -> locationsApplied.awaitPosition(meta.partition(), meta.offset() + 1))
                .thenApply(v -> location)
                .orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The client's newest location and the places near it, after this node has caught up with
     * every update acknowledged before the call; empty if no node has heard of the client.
     */
    public CompletableFuture<Optional<Nearby>> whatsat(Command.Whatsat cmd) {
        return barrier.awaitFresh().thenApplyAsync(fresh -> queries.location(cmd.client()).map(l ->
                new Nearby(l, queries.nearby(l.lat(), l.lng(), cmd.radiusKm() * 1000, cmd.limit(),
                        PlacesIndex.Rank.PROMINENCE))), workers);
    }
}
