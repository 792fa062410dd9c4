package org.herd.node.service;

import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.model.Location;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * This node's acknowledged location updates that its replica has not applied yet: what lets an
 * IAMAT be answered as soon as Kafka has it durably, without waiting for the node's own replica
 * to fetch it back.
 *
 * <p>A read at this node normally sees such an update anyway: its freshness barrier looks up the
 * topic's end offsets after the read arrived, and those include every update acknowledged before
 * it. Only a read answered from local state (the lookup failed or timed out: the broker became
 * unreachable) needs this: {@link #newest} lets it still see this node's own acknowledged updates,
 * as PROTOCOL.md promises ("visible to a WHATSAT on that same node").
 *
 * <p>Bounded by {@code write.unapplied.max} entries: when it is full, {@link #add} says no and the
 * writer waits for the replica to apply its update, as every write did before. Entries leave once
 * the replica's applied position passes them, checked whenever an entry is added or read.
 */
final class UnappliedWrites {
    private record UnappliedWrite(Location location, int partition, long offset) {
    }

    private final int max;
    /** In the order they were acknowledged; oldest first. */
    private final ArrayDeque<UnappliedWrite> acknowledged = new ArrayDeque<>();
    /** The newest (by client time) entry of each client in {@link #acknowledged}. */
    private final Map<String, UnappliedWrite> newestByClient = new HashMap<>();

    UnappliedWrites(int max) {
        this.max = max;
    }

    /**
     * Keeps {@code location}, acknowledged at {@code partition}/{@code offset}, until {@code applied}
     * passes it; false (nothing kept) when already full of updates the replica has not applied.
     */
    synchronized boolean add(Location location, int partition, long offset, AppliedOffsets applied) {
        forgetApplied(applied);
        if (acknowledged.size() >= max) {
            return false;
        }
        UnappliedWrite e = new UnappliedWrite(location, partition, offset);
        acknowledged.addLast(e);
        // the same rule as the store: only a strictly newer client time replaces; on a tie the
        // earlier offset (acknowledged first) stays, as it will in the store
        newestByClient.merge(location.client(), e, (old, now) -> now.location.supersedes(old.location) ? now : old);
        return true;
    }

    /**
     * The newer of {@code stored} and this node's acknowledged, unapplied update of the client (by
     * the store's rule); {@code stored} when there is none.
     */
    synchronized Optional<Location> newest(String client, Optional<Location> stored, AppliedOffsets applied) {
        forgetApplied(applied);
        UnappliedWrite e = newestByClient.get(client);
        if (e == null || (stored.isPresent() && !e.location.supersedes(stored.get()))) {
            return stored;
        }
        return Optional.of(e.location);
    }

    synchronized int size() {
        return acknowledged.size();
    }

    /** Drops entries from the oldest on while the replica has applied them. */
    private void forgetApplied(AppliedOffsets applied) {
        while (!acknowledged.isEmpty()) {
            UnappliedWrite head = acknowledged.peekFirst();
            if (applied.position(head.partition) <= head.offset) {
                return;
            }
            acknowledged.removeFirst();
            newestByClient.remove(head.location.client(), head);
        }
    }
}
