package org.herd.node.service;


import org.herd.node.replica.Replica;
import org.herd.node.telemetry.NodeMetrics;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.model.Json;
import org.herd.stream.geo.ClientIndex;
import org.herd.stream.model.Location;
import org.herd.stream.model.Place;
import org.herd.stream.fence.Fence;
import org.herd.stream.fence.FenceIndex;
import org.herd.stream.model.TopicNames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a node does for its clients, whatever protocol they came in by: writes that complete once
 * durable and visible here, and reads that reflect every write acknowledged anywhere before them.
 * Never blocks the caller: every result is a future.
 */
public final class HerdService implements ClientService {
    private final String node;
    private final TopicNames topics;
    private final Publisher publisher;
    private final Supplier<Replica> replica;
    private final PlacesSource places;
    private final Executor workers;
    private final Duration writeTimeout;
    private final NodeMetrics metrics;
    private final int maxWritesInFlight;
    private final Semaphore writeSlots;
    private final EventSource events;
    private final NewsSource news;
    private final int maxFences;
    private final long maxFenceBytes;
    /** Who-is-near queries run here (one thread), at most maxNearQueries running or waiting. */
    private final Executor nearQueries;
    private final int maxNearQueries;
    private final Semaphore nearSlots;
    private final UnappliedWrites unapplied;

    public HerdService(String node, TopicNames topics, Publisher publisher, Supplier<Replica> replica, PlacesSource places,
                Executor workers, Duration writeTimeout, NodeMetrics metrics, int maxWritesInFlight, int maxUnapplied,
                EventSource events, NewsSource news, int maxFences, long maxFenceBytes, Executor nearQueries, int maxNearQueries) {
        this.nearQueries = nearQueries;
        this.maxNearQueries = maxNearQueries;
        this.nearSlots = new Semaphore(maxNearQueries);
        this.maxFenceBytes = maxFenceBytes;
        this.unapplied = new UnappliedWrites(maxUnapplied);
        metrics.gauge("herd.fences.bytes", "Estimated heap of the fences this node's replica holds (fences.max.bytes)",
                () -> {
                    Replica r = replica.get();
                    return r == null ? 0 : r.state.fenceIndex().bytes();
                });
        metrics.gauge("herd.writes.unapplied", "IAMATs acknowledged by this node and not yet applied to its replica "
                + "(write.unapplied.max)", unapplied::size);
        this.events = events;
        this.news = news;
        this.maxFences = maxFences;
        this.metrics = metrics;
        this.maxWritesInFlight = maxWritesInFlight;
        this.writeSlots = new Semaphore(maxWritesInFlight);
        metrics.gauge("herd.writes.in.flight", "Writes published and not yet acknowledged",
                () -> maxWritesInFlight - writeSlots.availablePermits());
        this.node = node;
        this.topics = topics;
        this.publisher = publisher;
        this.replica = replica;
        this.places = places;
        this.workers = workers;
        this.writeTimeout = writeTimeout;
    }

    @Override
    public String node() {
        return node;
    }

    /**
     * Publishes the update and completes with it once it is durable in Kafka and visible to reads
     * here. Fails if that does not happen within the write timeout; the caller must then not
     * acknowledge the update.
     */
    @Override
    public CompletableFuture<Location> iamat(LocationUpdate update) {
        return iamat(update, workers);
    }

    /**
     * As {@link #iamat(LocationUpdate)}, completing on {@code executor}: a connection's
     * own event loop, so that the reply needs no further hand-over between threads. The record is
     * handed to the producer before this returns, so updates are published in the order of the
     * calls. Fails at once with {@link Busy} when {@code write.inflight.max} writes are in flight.
     */
    @Override
    public CompletableFuture<Location> iamat(LocationUpdate update, Executor executor) {
        if (!writeSlots.tryAcquire()) {
            return CompletableFuture.failedFuture(busyWrites());
        }
        Location location = update.toLocation(node);
        long start = System.nanoTime();
        CompletableFuture<RecordMetadata> published = publisher.publish(topics.locations(), update.client(),
                Json.encode(location));
        // Visible here once durable: a read here looks the topic's ends up after it arrives and
        // waits until they are applied, and a read answered from local state (no lookup) consults
        // the unapplied writes. Only when those are full does the write wait for its own apply.
        CompletableFuture<Location> done = published.thenCompose(meta -> {
            long durableAt = System.nanoTime();
            metrics.writeStage("durable", durableAt - start);
            Replica r = replica.get();
            if (unapplied.add(location, meta.partition(), meta.offset(), r.locationsApplied())) {
                return CompletableFuture.completedFuture(location);
            }
            return awaitApplied(CompletableFuture.completedFuture(meta), Replica::locationsApplied).thenApply(v -> {
                metrics.writeStage("applied", System.nanoTime() - durableAt);
                return location;
            });
        }).thenApplyAsync(l -> l, executor); // the producer's and the Streams threads never run the reply
        return releaseWhenDone(published, done, 1);
    }

    private Busy busyWrites() {
        return new Busy("too many writes in flight (" + maxWritesInFlight + ")");
    }

    /**
     * Waits until the record is applied to the replica serving when it became durable; gives up
     * (forgetting the waiter) at the write timeout.
     */
    private CompletableFuture<Void> awaitApplied(CompletableFuture<RecordMetadata> published,
                                                 Function<Replica, AppliedOffsets> topic) {
        AtomicReference<CompletableFuture<Void>> waiter = new AtomicReference<>();
        CompletableFuture<Void> applied = published.thenCompose(meta -> {
            CompletableFuture<Void> w = topic.apply(replica.get()).awaitPosition(meta.partition(), meta.offset() + 1);
            waiter.set(w);
            return w;
        });
        return applied.orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            CompletableFuture<Void> w = waiter.get();
            if (w != null) {
                w.cancel(false);
            }
        });
    }

    /** Frees {@code slots} write slots once the producer is done with the records and the caller has its answer. */
    private <T> CompletableFuture<T> releaseWhenDone(CompletableFuture<?> published, CompletableFuture<T> done, int slots) {
        CompletableFuture.allOf(published, done).whenComplete((v, e) -> writeSlots.release(slots));
        return done;
    }

    /** The client's newest location, after catching up with every write acknowledged before the call. */
    @Override
    public CompletableFuture<Optional<Location>> location(String client) {
        return location(replica.get(), client, workers);
    }

    private CompletableFuture<Optional<Location>> location(Replica r, String client, Executor executor) {
        return r.barrier.awaitFresh().thenApplyAsync(fresh -> storedOrOwn(r, fresh, client), executor);
    }

    /**
     * The client's stored location; for a read answered from local state (not fresh), the newer of
     * that and this node's own acknowledged update not yet applied.
     */
    private Optional<Location> storedOrOwn(Replica r, boolean fresh, String client) {
        Optional<Location> stored = r.queries.location(client);
        return fresh ? stored : unapplied.newest(client, stored, r.locationsApplied());
    }

    @Override
    public CompletableFuture<ClientsQuery.Answer> clients(ClientsQuery query) {
        if (!nearSlots.tryAcquire()) {
            return CompletableFuture.failedFuture(new Busy("this node has " + maxNearQueries
                    + " who-is-near queries running or waiting (clients.query.queue.max)"));
        }
        Replica r = replica.get();
        // on a thread of their own: a walk of the whole world costs tens of milliseconds, which the
        // workers that complete every other read should not wait behind
        CompletableFuture<ClientsQuery.Answer> answer = r.barrier.awaitFresh().thenApplyAsync(fresh -> {
            ClientIndex index = r.state.clientIndex();
            ClientIndex.NearClients result = query.search(index);
            List<ClientsQuery.Found> found = new ArrayList<>(result.hits().size());
            for (ClientIndex.Hit h : result.hits()) {
                r.queries.location(h.client()).ifPresent(l -> found.add(new ClientsQuery.Found(l, h.distanceMetres())));
            }
            return new ClientsQuery.Answer(found, result.scanCut(), result.leftOut(), index.limits());
        }, nearQueries);
        answer.whenComplete((a, e) -> nearSlots.release());
        return answer;
    }

    /**
     * The client's newest location and the places near it (radius in km, as WHATSAT has it);
     * empty if no node has heard of the client.
     */
    @Override
    public CompletableFuture<Optional<Nearby>> whatsat(PlacesNearClient query) {
        return whatsat(query, workers, () -> true);
    }

    /**
     * As {@link #whatsat(PlacesNearClient)}, running the query on {@code executor}: a connection's
     * own event loop, so that the reply needs no further hand-over between threads. The query is
     * skipped (empty) if {@code wanted} says no once the read is fresh: a client that has gone
     * costs nothing more.
     */
    @Override
    public CompletableFuture<Optional<Nearby>> whatsat(PlacesNearClient query, Executor executor, BooleanSupplier wanted) {
        Replica r = replica.get(); // one replica for the whole query, even if a replay swaps them meanwhile
        return r.barrier.awaitFresh().thenApplyAsync(fresh -> wanted.getAsBoolean()
                ? storedOrOwn(r, fresh, query.client()) : Optional.<Location>empty(), executor).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            Location l = found.get();
            return places.nearby(NearbyQuery.of(l.lat(), l.lng(), query.radiusKm() * 1000, query.limit()), r.queries)
                    .thenApply(answer -> Optional.of(new Nearby(l, answer)));
        });
    }

    /** A Nearby Search around a point, after catching up with the places topic. */
    @Override
    public CompletableFuture<PlacesAnswer> nearby(NearbyQuery query) {
        Replica r = replica.get();
        return r.barrier.awaitFresh().thenComposeAsync(fresh -> places.nearby(query, r.queries), workers);
    }

    /** The place with this id, after catching up. */
    @Override
    public CompletableFuture<Optional<Place>> place(String id) {
        Replica r = replica.get();
        return r.barrier.awaitFresh().thenApplyAsync(fresh -> r.queries.place(id), workers);
    }

    /**
     * Publishes places (new or replacing those with the same ids); completes once all are durable
     * and visible here. Each place takes one write slot; fails at once with {@link Busy} if they are not free.
     */
    @Override
    public CompletableFuture<List<Place>> putPlaces(List<Place> batch) {
        if (!writeSlots.tryAcquire(batch.size())) {
            return CompletableFuture.failedFuture(busyWrites());
        }
        List<CompletableFuture<RecordMetadata>> published = new ArrayList<>();
        List<CompletableFuture<Void>> applied = new ArrayList<>();
        for (Place p : batch) {
            CompletableFuture<RecordMetadata> sent = publisher.publish(topics.places(), p.id(), Json.encode(p));
            published.add(sent);
            applied.add(awaitApplied(sent, Replica::placesApplied));
        }
        CompletableFuture<List<Place>> done = CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new))
                .thenApplyAsync(v -> batch, workers);
        return releaseWhenDone(CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)), done, batch.size());
    }

    /** Publishes a deletion (a tombstone); completes once durable and applied here. */
    @Override
    public CompletableFuture<Void> deletePlace(String id) {
        return writeOne(topics.places(), id, null);
    }

    @Override
    public EventSource events() {
        return events;
    }

    @Override
    public NewsSource news() {
        return news;
    }

    /**
     * After catching up with the fences topic (so that a fence stored at any node is known here):
     * the limits, then the record. A replacement carries the time its fence was first stored as
     * its record's timestamp: the derivation judges an update by the fences stored at or before it
     * (docs/fences.md), and an update acknowledged between the first PUT and this one must not be
     * passed over because the derivation reached it after the replacement (the topic is compacted:
     * the replacement's record is all a replay will see).
     */
    @Override
    public CompletableFuture<Fence> putFence(Fence fence) {
        Replica r = replica.get();
        return r.barrier.awaitFresh().thenComposeAsync(fresh -> {
            FenceIndex held = r.state.fenceIndex();
            Optional<FenceIndex.IndexedFence> replaced = held.get(fence.id());
            if (held.size() >= maxFences && replaced.isEmpty()) {
                return CompletableFuture.failedFuture(new LimitReached("the herd holds " + held.size()
                        + " fences, its limit (fences.max); delete some or replace one"));
            }
            long cost = FenceIndex.costOf(fence);
            long after = held.bytes() - replaced.map(FenceIndex.IndexedFence::cost).orElse(0L) + cost;
            if (after > maxFenceBytes) {
                return CompletableFuture.failedFuture(new LimitReached("this fence takes about " + cost
                        + " bytes and the herd's fences would take " + after + ", over its limit of " + maxFenceBytes
                        + " (fences.max.bytes); delete some or make it smaller"));
            }
            Long firstStored = replaced.map(FenceIndex.IndexedFence::since).orElse(null);
            return writeOne(topics.fences(), fence.id(), fence.encode(), firstStored).thenApply(v -> fence);
        }, workers);
    }

    @Override
    public CompletableFuture<Optional<Fence>> fence(String id) {
        Replica r = replica.get();
        return r.barrier.awaitFresh().thenApplyAsync(fresh -> r.state.fenceIndex().get(id).map(FenceIndex.IndexedFence::fence), workers);
    }

    @Override
    public CompletableFuture<List<Fence>> fences(String after, int limit) {
        Replica r = replica.get();
        return r.barrier.awaitFresh().thenApplyAsync(fresh -> r.state.fenceIndex().page(after, limit), workers);
    }

    @Override
    public CompletableFuture<Void> deleteFence(String id) {
        return writeOne(topics.fences(), id, null);
    }

    /** One record to a topic the replica applies; completes once it is durable and applied here. */
    private CompletableFuture<Void> writeOne(String topic, String key, byte[] value) {
        return writeOne(topic, key, value, null);
    }

    /** As above, with the record's timestamp ({@code null}: the producer's clock). */
    private CompletableFuture<Void> writeOne(String topic, String key, byte[] value, Long timestamp) {
        if (!writeSlots.tryAcquire()) {
            return CompletableFuture.failedFuture(busyWrites());
        }
        CompletableFuture<RecordMetadata> sent = publisher.publish(topic, key, value, timestamp);
        return releaseWhenDone(sent, awaitApplied(sent, r -> r.state.applied(topic)).thenApplyAsync(v -> v, workers), 1);
    }
}
