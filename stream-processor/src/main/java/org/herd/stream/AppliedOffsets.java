package org.herd.stream;

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
 */
public final class AppliedOffsets {
    private final String topic;
    private final Map<Integer, Long> positions = new HashMap<>();
    private final Map<Integer, TreeMap<Long, List<CompletableFuture<Void>>>> waiters = new HashMap<>();

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

    /** Completes once {@code partition} has been applied up to (not including) {@code position}. */
    public CompletableFuture<Void> awaitPosition(int partition, long position) {
        synchronized (this) {
            if (positions.getOrDefault(partition, 0L) >= position) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            waiters.computeIfAbsent(partition, p -> new TreeMap<>())
                    .computeIfAbsent(position, o -> new ArrayList<>()).add(f);
            return f;
        }
    }

    /** Completes once every partition in {@code targets} has reached its target position. */
    public CompletableFuture<Void> awaitPositions(Map<Integer, Long> targets) {
        CompletableFuture<?>[] all = targets.entrySet().stream()
                .map(e -> awaitPosition(e.getKey(), e.getValue()))
                .filter(f -> !f.isDone())
                .toArray(CompletableFuture[]::new);
        return all.length == 0 ? CompletableFuture.completedFuture(null) : CompletableFuture.allOf(all);
    }

    /** Total count of records applied or skipped across partitions (sum of positions). */
    public synchronized long total() {
        return positions.values().stream().mapToLong(Long::longValue).sum();
    }
}
