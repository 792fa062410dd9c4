package org.herd.node.replica;

import org.apache.kafka.common.TopicPartition;
import org.herd.stream.store.AppliedOffsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
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
 * timeout of the query's lookup, the query is answered from local state: reads stay available,
 * and each such answer is counted and logged (at most one line every five seconds).
 */
public final class FreshnessBarrier {
    private static final Logger log = LoggerFactory.getLogger(FreshnessBarrier.class);

    private static final long LOG_EVERY_NANOS = 5_000_000_000L;

    private final Supplier<CompletableFuture<Map<TopicPartition, Long>>> endOffsets;
    private final Map<String, AppliedOffsets> byTopic;
    private final Duration timeout;
    private final Executor executor;
    private final LongAdder staleReads;
    private volatile Map<TopicPartition, Long> lastEnds = Map.of();
    /** The lookup in flight, if any, and the one queries arriving meanwhile wait for. */
    private Wave inFlight;
    private Wave next;
    private long lastStaleLog = System.nanoTime() - LOG_EVERY_NANOS;
    private long staleSinceLog;

    /**
     * One offset lookup and what every query waiting on it needs: applied up to those ends, or
     * the timeout. Built once per lookup, not once per query (each per-query timer was a task in
     * a shared scheduler queue: at thousands of reads a second, a cost of its own). The timeout
     * starts when the wave's lookup is sent, not when the wave is made: a read that joins the
     * next wave while a lookup is in flight gets the whole timeout for its own lookup.
     */
    private static final class Wave {
        final CompletableFuture<Map<TopicPartition, Long>> ends = new CompletableFuture<>();
        final CompletableFuture<Boolean> fresh = new CompletableFuture<>();
        final AtomicInteger reads = new AtomicInteger();
        volatile String staleBecause = "the stores did not catch up in time";
    }

    /** {@code endOffsets}: one round trip that looks up the end offsets of every tracked topic's partitions. */
    public FreshnessBarrier(Supplier<CompletableFuture<Map<TopicPartition, Long>>> endOffsets, List<AppliedOffsets> trackers,
                     Duration timeout, Executor executor, LongAdder staleReads) {
        this.endOffsets = endOffsets;
        this.byTopic = trackers.stream().collect(Collectors.toMap(AppliedOffsets::topic, Function.identity()));
        this.timeout = timeout;
        this.executor = executor;
        this.staleReads = staleReads;
    }

    /**
     * Completes when every topic is applied up to the end offsets looked up after this call, or
     * when the freshness timeout has passed since that lookup was sent (then {@code false}: the
     * answer may be stale; it is counted in {@code herd_stale_reads_total} and logged).
     */
    public CompletableFuture<Boolean> awaitFresh() {
        Wave w = sharedWave();
        w.reads.incrementAndGet();
        return w.fresh;
    }

    /** Looks the end offsets up again (sharing a lookup in flight); for lag metrics. */
    public CompletableFuture<Map<TopicPartition, Long>> refreshEndOffsets() {
        return sharedWave().ends;
    }

    private synchronized Wave sharedWave() {
        if (inFlight == null) {
            inFlight = startLookupFor(new Wave());
            return inFlight;
        }
        if (next == null) {
            next = new Wave();
        }
        return next;
    }

    /** Sends {@code w}'s lookup and starts its timeout; when the lookup is done, the next wave may start. */
    private Wave startLookupFor(Wave w) {
        w.fresh.completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS);
        w.fresh.thenAccept(fresh -> {
            if (!fresh) {
                countStale(w);
            }
        });
        CompletableFuture<Map<TopicPartition, Long>> f = lookup();
        f.whenCompleteAsync((r, e) -> lookupDone(), executor);
        f.whenComplete((ends, e) -> {
            if (e != null) {
                w.staleBecause = "end offsets lookup failed: " + e;
                w.ends.completeExceptionally(e);
                w.fresh.complete(false);
                return;
            }
            w.ends.complete(ends);
            List<CompletableFuture<Void>> waits = awaitApplied(ends);
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenRun(() -> w.fresh.complete(true));
            // on the timeout, stop waiting: no waiter is kept for a position that may not come
            w.fresh.thenRun(() -> waits.forEach(x -> x.cancel(false)));
        });
        return w;
    }

    private void countStale(Wave w) {
        int n = w.reads.get();
        if (n == 0) {
            return;
        }
        staleReads.add(n);
        boolean logNow;
        long since;
        synchronized (this) {
            staleSinceLog += n;
            long now = System.nanoTime();
            logNow = now - lastStaleLog >= LOG_EVERY_NANOS;
            since = staleSinceLog;
            if (logNow) {
                lastStaleLog = now;
                staleSinceLog = 0;
            }
        }
        if (logNow) {
            log.warn("answered {} reads from local state, which may be stale ({}); timeout {} ms", since,
                    w.staleBecause, timeout.toMillis());
        }
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
        return lookup().thenCompose(ends -> CompletableFuture.allOf(awaitApplied(ends).toArray(CompletableFuture[]::new)));
    }

    private List<CompletableFuture<Void>> awaitApplied(Map<TopicPartition, Long> ends) {
        Map<String, Map<Integer, Long>> targets = new HashMap<>();
        ends.forEach((tp, end) -> targets.computeIfAbsent(tp.topic(), t -> new HashMap<>()).put(tp.partition(), end));
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        targets.forEach((topic, positions) -> positions.forEach((partition, end) -> {
            CompletableFuture<Void> f = byTopic.get(topic).awaitPosition(partition, end);
            if (!f.isDone()) {
                waits.add(f);
            }
        }));
        return waits;
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
        return endOffsets.get().thenApply(ends -> {
            lastEnds = Map.copyOf(ends);
            return ends;
        });
    }
}
