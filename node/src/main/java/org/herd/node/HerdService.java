package org.herd.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.herd.node.protocol.Command;
import org.herd.node.protocol.Replies;
import org.herd.stream.Json;
import org.herd.stream.Location;
import org.herd.stream.Place;
import org.herd.stream.TopicNames;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What a node does for its clients, whatever protocol they came in by: writes that complete once
 * durable and visible here, and reads that reflect every write acknowledged anywhere before them.
 * Never blocks the caller: every result is a future.
 */
public final class HerdService {
    /** A WHATSAT answer: the client's stored location and a Nearby Search response around it. */
    public record Nearby(Location location, ObjectNode places) {
    }

    private final String node;
    private final TopicNames topics;
    private final Publisher publisher;
    private final Supplier<Replica> replica;
    private final PlacesSource places;
    private final Executor workers;
    private final Duration writeTimeout;
    private final NodeMetrics metrics;

    HerdService(String node, TopicNames topics, Publisher publisher, Supplier<Replica> replica, PlacesSource places,
                Executor workers, Duration writeTimeout, NodeMetrics metrics) {
        this.metrics = metrics;
        this.node = node;
        this.topics = topics;
        this.publisher = publisher;
        this.replica = replica;
        this.places = places;
        this.workers = workers;
        this.writeTimeout = writeTimeout;
    }

    public String node() {
        return node;
    }

    /**
     * Publishes the update and completes with it once it is durable in Kafka and applied to this
     * node's store (so a read here sees it). Fails if that does not happen within the write
     * timeout; the caller must then not acknowledge the update.
     */
    public CompletableFuture<Location> iamat(Command.Iamat cmd, Instant receivedAt) {
        return iamat(cmd, receivedAt, workers);
    }

    /**
     * As {@link #iamat(Command.Iamat, Instant)}, completing on {@code executor}: a connection's
     * own event loop, so that the reply needs no further hand-over between threads.
     */
    public CompletableFuture<Location> iamat(Command.Iamat cmd, Instant receivedAt, Executor executor) {
        Location location = new Location(cmd.client(), cmd.location(), cmd.lat(), cmd.lng(), cmd.time(), node,
                Replies.at(node, receivedAt, cmd));
        long start = System.nanoTime();
        long[] durableAt = new long[1];
        return publisher.publish(topics.locations(), cmd.client(), Json.encode(location))
                .thenCompose(meta -> {
                    durableAt[0] = System.nanoTime();
                    return replica.get().locationsApplied().awaitPosition(meta.partition(), meta.offset() + 1);
                })
                // continue on the caller's executor: the applied-offset waiters complete on the Streams thread
                .thenApplyAsync(v -> {
                    metrics.writeStage("durable", durableAt[0] - start);
                    metrics.writeStage("applied", System.nanoTime() - durableAt[0]);
                    return location;
                }, executor)
                .orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The client's newest location, after catching up with every write acknowledged before the call. */
    public CompletableFuture<Optional<Location>> location(String client) {
        return location(client, workers);
    }

    private CompletableFuture<Optional<Location>> location(String client, Executor executor) {
        Replica r = replica.get();
        return r.barrier.awaitFresh().thenApplyAsync(fresh -> r.queries.location(client), executor);
    }

    /**
     * The client's newest location and the places near it (radius in km, as WHATSAT has it);
     * empty if no node has heard of the client.
     */
    public CompletableFuture<Optional<Nearby>> whatsat(Command.Whatsat cmd) {
        return whatsat(cmd, workers);
    }

    /**
     * As {@link #whatsat(Command.Whatsat)}, running the query on {@code executor}: a connection's
     * own event loop, so that the reply needs no further hand-over between threads.
     */
    public CompletableFuture<Optional<Nearby>> whatsat(Command.Whatsat cmd, Executor executor) {
        Replica r = replica.get();
        return location(cmd.client(), executor).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            Location l = found.get();
            return places.nearby(NearbyQuery.of(l.lat(), l.lng(), cmd.radiusKm() * 1000, cmd.limit()), r)
                    .thenApply(answer -> Optional.of(new Nearby(l, answer)));
        });
    }

    /** A Nearby Search around a point, after catching up with the places topic. */
    public CompletableFuture<ObjectNode> nearby(NearbyQuery query) {
        Replica r = replica.get();
        return r.barrier.awaitFresh().thenComposeAsync(fresh -> places.nearby(query, r), workers);
    }

    /** The place with this id, after catching up. */
    public CompletableFuture<Optional<Place>> place(String id) {
        Replica r = replica.get();
        return r.barrier.awaitFresh().thenApplyAsync(fresh -> r.queries.place(id), workers);
    }

    /** Publishes places (new or replacing those with the same ids); completes once all are durable and visible here. */
    public CompletableFuture<List<Place>> putPlaces(List<Place> batch) {
        List<CompletableFuture<Void>> each = batch.stream()
                .map(p -> awaitPlaceApplied(publisher.publish(topics.places(), p.id(), Json.encode(p))))
                .toList();
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApplyAsync(v -> batch, workers)
                .orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Publishes a deletion (a tombstone); completes once durable and applied here. */
    public CompletableFuture<Void> deletePlace(String id) {
        return awaitPlaceApplied(publisher.publish(topics.places(), id, null))
                .thenApplyAsync(v -> v, workers)
                .orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<Void> awaitPlaceApplied(CompletableFuture<RecordMetadata> sent) {
        return sent.thenCompose(meta -> replica.get().placesApplied().awaitPosition(meta.partition(), meta.offset() + 1));
    }
}
