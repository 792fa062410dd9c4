package org.herd.node;

import org.apache.kafka.common.TopicPartition;
import org.herd.stream.AppliedOffsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Makes reads fresh: before a query is answered, the node's stores must have applied every topic
 * up to the end offsets that were current when the query arrived. That includes every update
 * acknowledged, at any node, before the query arrived.
 *
 * <p>Concurrent queries share offset lookups: at most one lookup is in flight; queries that
 * arrive meanwhile wait for the next one (the one in flight may have started before they
 * arrived, so it would not be enough for them). The cost is about one broker round trip per
 * query, however many queries there are.
 *
 * <p>If the broker cannot be reached, or the store does not catch up, within the freshness
 * timeout, the query is answered from local state: reads stay available.
 */
public final class FreshnessBarrier {
    private static final Logger log = LoggerFactory.getLogger(FreshnessBarrier.class);

    private final EndOffsetsReader endOffsets;
    private final Map<String, AppliedOffsets> byTopic;
    private final Duration timeout;
    private final Executor executor;
    private volatile Map<TopicPartition, Long> lastEnds = Map.of();
    /** The lookup in flight, if any, and the one queries arriving meanwhile wait for. */
    private Wave inFlight;
    private Wave next;

    /**
     * One offset lookup and what every query waiting on it needs: applied up to those ends, or
     * the timeout. Built once per lookup, not once per query (each per-query timer was a task in
     * a shared scheduler queue: at thousands of reads a second, a cost of its own).
     */
    private record Wave(CompletableFuture<Map<TopicPartition, Long>> ends, CompletableFuture<Boolean> fresh) {
    }

    FreshnessBarrier(EndOffsetsReader endOffsets, List<AppliedOffsets> trackers, Duration timeout, Executor executor) {
        this.endOffsets = endOffsets;
        this.byTopic = trackers.stream().collect(Collectors.toMap(AppliedOffsets::topic, Function.identity()));
        this.timeout = timeout;
        this.executor = executor;
    }

    /**
     * Completes when every topic is applied up to the end offsets looked up after this call, or
     * when the freshness timeout has passed (then {@code false}: the answer may be stale).
     */
    public CompletableFuture<Boolean> awaitFresh() {
        return sharedWave().fresh();
    }

    /** Looks the end offsets up again (sharing a lookup in flight); for lag metrics. */
    public CompletableFuture<Map<TopicPartition, Long>> refreshEndOffsets() {
        return sharedWave().ends();
    }

    private Wave wave(CompletableFuture<Map<TopicPartition, Long>> ends) {
        CompletableFuture<Boolean> fresh = ends
                .thenCompose(this::awaitApplied)
                .thenApply(v -> true)
                .completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    log.warn("answering from local state: {}", e.toString());
                    return false;
                });
        return new Wave(ends, fresh);
    }

    /** Records not yet applied, per topic, against the latest end offsets looked up. */
    public Map<String, Long> lag() {
        Map<String, Long> lag = new HashMap<>();
        byTopic.keySet().forEach(t -> lag.put(t, 0L));
        lastEnds.forEach((tp, end) -> lag.merge(tp.topic(),
                Math.max(0, end - byTopic.get(tp.topic()).position(tp.partition())), Long::sum));
        return lag;
    }

    /** Waits, without a time limit, until the stores have applied the topics' current end offsets. */
    public CompletableFuture<Void> catchUp() {
        return lookup().thenCompose(this::awaitApplied);
    }

    private CompletableFuture<Void> awaitApplied(Map<TopicPartition, Long> ends) {
        Map<String, Map<Integer, Long>> targets = new HashMap<>();
        ends.forEach((tp, end) -> targets.computeIfAbsent(tp.topic(), t -> new HashMap<>()).put(tp.partition(), end));
        return CompletableFuture.allOf(targets.entrySet().stream()
                .map(e -> byTopic.get(e.getKey()).awaitPositions(e.getValue()))
                .toArray(CompletableFuture[]::new));
    }

    private synchronized Wave sharedWave() {
        if (inFlight == null) {
            inFlight = startWave();
            return inFlight;
        }
        if (next == null) {
            next = wave(new CompletableFuture<>());
        }
        return next;
    }

    private Wave startWave() {
        return startLookupFor(wave(new CompletableFuture<>()));
    }

    /** Starts a lookup that completes {@code w}'s ends; when it is done, the next wave may start. */
    private Wave startLookupFor(Wave w) {
        CompletableFuture<Map<TopicPartition, Long>> f = lookup();
        f.whenCompleteAsync((r, e) -> lookupDone(), executor);
        f.whenComplete((r, e) -> {
            if (e != null) {
                w.ends().completeExceptionally(e);
            } else {
                w.ends().complete(r);
            }
        });
        return w;
    }

    private synchronized void lookupDone() {
        inFlight = null;
        if (next != null) {
            Wave waiting = next;
            next = null;
            inFlight = startLookupFor(waiting);
        }
    }

    /** One round trip: the latest offset of every partition of every tracked topic. */
    private CompletableFuture<Map<TopicPartition, Long>> lookup() {
        return endOffsets.lookup().thenApply(ends -> {
            lastEnds = Map.copyOf(ends);
            return ends;
        });
    }
}
