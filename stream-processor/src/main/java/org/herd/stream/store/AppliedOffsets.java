package org.herd.stream.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * How far one topic has been applied to a node's store, partition by partition, and a way to
 * wait until it has come at least that far. A position is the offset of the next record to
 * apply, like a consumer position, so "offset o is applied" means {@code position > o}.
 *
 * <p>The store's processor advances positions (one thread); any thread may wait. Waiters are
 * completed on the advancing thread, so callers should continue with an {@code *Async} stage.
 * A waiter that is cancelled (its caller gave up) is forgotten at once, and {@link #fail} ends
 * every waiter when the replica stops: nothing waits, or is kept, for a position that will not come.
 */
public final class AppliedOffsets {
    private final String topic;
    private final Map<Integer, Long> positions = new HashMap<>();
    private final Map<Integer, TreeMap<Long, List<CompletableFuture<Void>>>> waiters = new HashMap<>();
    private Throwable failed;

    public AppliedOffsets(String topic) {
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    /** Records that every offset below {@code position} in {@code partition} has been applied. */
    public void advance(int partition, long position) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (this) {
            Long current = positions.get(partition);
            if (current != null && current >= position) {
                return;
            }
            positions.put(partition, position);
            TreeMap<Long, List<CompletableFuture<Void>>> queue = waiters.get(partition);
            if (queue != null) {
                while (!queue.isEmpty() && queue.firstKey() <= position) {
                    ready.addAll(queue.pollFirstEntry().getValue());
                }
            }
        }
        ready.forEach(f -> f.complete(null));
    }

    public synchronized long position(int partition) {
        return positions.getOrDefault(partition, 0L);
    }

    public synchronized Map<Integer, Long> positions() {
        return Map.copyOf(positions);
    }

    /**
     * Completes once {@code partition} has been applied up to (not including) {@code position}.
     * Cancel the future to stop waiting; it fails if the replica stops first.
     */
    public CompletableFuture<Void> awaitPosition(int partition, long position) {
        CompletableFuture<Void> f;
        synchronized (this) {
            if (positions.getOrDefault(partition, 0L) >= position) {
                return CompletableFuture.completedFuture(null);
            }
            if (failed != null) {
                return CompletableFuture.failedFuture(failed);
            }
            f = new CompletableFuture<>();
            waiters.computeIfAbsent(partition, p -> new TreeMap<>())
                    .computeIfAbsent(position, o -> new ArrayList<>()).add(f);
        }
        f.whenComplete((v, e) -> {
            if (f.isCancelled()) {
                forget(partition, position, f);
            }
        });
        return f;
    }

    private synchronized void forget(int partition, long position, CompletableFuture<Void> f) {
        TreeMap<Long, List<CompletableFuture<Void>>> queue = waiters.get(partition);
        List<CompletableFuture<Void>> at = queue == null ? null : queue.get(position);
        if (at != null) {
            at.remove(f);
            if (at.isEmpty()) {
                queue.remove(position);
            }
        }
    }

    /** Fails every waiter, now and later: the replica that would advance these positions has stopped. */
    public void fail(Throwable cause) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (this) {
            if (failed == null) {
                failed = cause;
            }
            waiters.values().forEach(q -> q.values().forEach(all::addAll));
            waiters.clear();
        }
        all.forEach(f -> f.completeExceptionally(cause));
    }

    /** Waiters not yet completed, for tests and metrics. */
    public synchronized int waiting() {
        return waiters.values().stream().mapToInt(q -> q.values().stream().mapToInt(List::size).sum()).sum();
    }

    /** Total count of records applied or skipped across partitions (sum of positions). */
    public synchronized long total() {
        return positions.values().stream().mapToLong(Long::longValue).sum();
    }
}
