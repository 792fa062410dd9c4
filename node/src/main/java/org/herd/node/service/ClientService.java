package org.herd.node.service;

import org.herd.stream.model.Location;
import org.herd.stream.model.Place;
import org.herd.stream.fence.Fence;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * What a node does for its clients, whatever door they came in by: the one interface the front
 * doors (tcp, http) use. Writes complete once durable and visible here; reads reflect every
 * write acknowledged anywhere before them. Never blocks the caller: every result is a future.
 */
public interface ClientService {
    /** A WHATSAT answer: the client's stored location and the places around it. */
    record Nearby(Location location, PlacesAnswer places) {
    }

    /** The node's name, as AT lines show it. */
    String node();

    /**
     * Publishes the update; completes with it once it is durable in Kafka and applied here, on
     * {@code executor}. Fails with {@link Busy} at once when the node's writes in flight are at
     * their limit, or after the write timeout.
     */
    CompletableFuture<Location> iamat(LocationUpdate update, Executor executor);

    /** As {@link #iamat(LocationUpdate, Executor)}, completing on the service's own threads. */
    CompletableFuture<Location> iamat(LocationUpdate update);

    /** The client's newest location, after catching up with every write acknowledged before the call. */
    CompletableFuture<Optional<Location>> location(String client);

    /**
     * The clients whose newest positions are near a point or in a box, nearest first, after
     * catching up with every write acknowledged before the call (as WHATSAT).
     */
    CompletableFuture<ClientsQuery.Answer> clients(ClientsQuery query);

    /**
     * The client's newest location and the places near it (radius in km, as WHATSAT has it);
     * empty if no node has heard of the client, or if {@code wanted} says no once the read is fresh.
     */
    CompletableFuture<Optional<Nearby>> whatsat(PlacesNearClient query, Executor executor, BooleanSupplier wanted);

    /** As above, on the service's own threads, always wanted. */
    CompletableFuture<Optional<Nearby>> whatsat(PlacesNearClient query);

    /** A Nearby Search around a point, after catching up with the places topic. */
    CompletableFuture<PlacesAnswer> nearby(NearbyQuery query);

    /** The place with this id, after catching up. */
    CompletableFuture<Optional<Place>> place(String id);

    /** Publishes places; completes once all are durable and visible here (or fails with {@link Busy}). */
    CompletableFuture<List<Place>> putPlaces(List<Place> batch);

    /** Publishes a deletion; completes once durable and applied here. */
    CompletableFuture<Void> deletePlace(String id);

    /** Fence events, for subscribers. */
    EventSource events();

    /** News near clients, live and resumable (docs/http.md). */
    NewsSource news();

    /** Publishes a fence (new or replacing the one with its id); completes once durable and visible here. */
    CompletableFuture<Fence> putFence(Fence fence);

    /** The fence with this id, after catching up. */
    CompletableFuture<Optional<Fence>> fence(String id);

    /** Up to {@code limit} fences in id order, those after {@code after} (null: from the first), after catching up. */
    CompletableFuture<List<Fence>> fences(String after, int limit);

    /** Deletes a fence (a tombstone); completes once durable and applied here. Deleting a missing fence is no error. */
    CompletableFuture<Void> deleteFence(String id);
}
