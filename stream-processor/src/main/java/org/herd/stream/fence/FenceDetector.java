package org.herd.stream.fence;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import org.herd.stream.model.LocationRules;
import org.herd.stream.store.SkippedRecords;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Derives fence events from location updates (docs/fences.md). For each update that becomes its
 * client's newest (the stores' newest-client-time rule), the client's previous newest position
 * and the new one are compared against every fence that watches the client and was stored at or
 * before the update's record time: {@code enter} (outside before, or no position before; inside
 * now), {@code exit} (inside before, outside now), {@code inside} (inside now). An update that is
 * not newer produces nothing. Events of one update come out by fence id, then enter, exit, inside.
 *
 * <p>The previous positions live in a changelogged store of this task; the fences in an index
 * fed by the fences topic. Run with {@code exactly_once_v2}, each update's events and its
 * position are committed together, once.
 *
 * <p>When to commit: events are readable (read committed) only once their transaction commits,
 * but a transaction costs the broker several requests and log writes that the herd's writes
 * queue behind. So an update that produced events asks for a commit at once (Streams commits
 * right after processing it), at most one request per {@code eventCommitGap} (a punctuator
 * asks for the events that came within it); updates that only move a client's position wait
 * for the configured commit interval (docs/performance.md, "What an IAMAT pays").
 */
public final class FenceDetector implements Processor<String, byte[], String, byte[]> {
    public static final String POSITIONS_STORE = "fence-positions";

    private final FenceIndex fences;
    private final SkippedRecords skipped;
    private final String locationsTopic;
    private final long eventCommitGapMs;
    private final DeferredCommits commits;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> positions;
    private long lastCommitRequest = Long.MIN_VALUE / 2;
    private boolean eventsUncommitted;

    /** {@code commits}: the commit gap, and where this detector says it has put a commit off. */
    public FenceDetector(FenceIndex fences, SkippedRecords skipped, String locationsTopic, DeferredCommits commits) {
        this.fences = fences;
        this.skipped = skipped;
        this.locationsTopic = locationsTopic;
        this.commits = commits;
        this.eventCommitGapMs = Math.max(1, commits.gap().toMillis());
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.positions = context.getStateStore(POSITIONS_STORE);
        context.schedule(Duration.ofMillis(eventCommitGapMs), PunctuationType.WALL_CLOCK_TIME, now -> {
            if (eventsUncommitted) {
                requestCommit(now);
            }
        });
    }

    private void eventsForwarded() {
        long now = context.currentSystemTimeMs();
        if (now - lastCommitRequest >= eventCommitGapMs) {
            requestCommit(now);
        } else {
            eventsUncommitted = true;
            commits.deferred();
        }
    }

    private void requestCommit(long now) {
        context.commit();
        commits.requested();
        lastCommitRequest = now;
        eventsUncommitted = false;
    }

    /**
     * The task closes (a rebalance, a shutdown): a commit it put off is no longer this detector's
     * to ask for (the task's work is committed or redone), so the consumer's short polls stop.
     */
    @Override
    public void close() {
        if (eventsUncommitted) {
            eventsUncommitted = false;
            commits.requested();
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String client = record.key();
        if (!LocationRules.isValidClientId(client)) {
            skipped.count(SkippedRecords.Reason.BAD_KEY, client);
            return;
        }
        Location now = Json.decodeOrNull(record.value(), Location.class);
        if (now == null) {
            skipped.count(SkippedRecords.Reason.NOT_DECODABLE, client);
            return;
        }
        if (!LocationRules.isValid(now) || !client.equals(now.client())
                || !LocationRules.isNotFarAheadOfRecord(now, record.timestamp())) {
            skipped.count(SkippedRecords.Reason.INVALID, client);
            return;
        }
        Location before = Json.decodeOrNull(positions.get(client), Location.class);
        if (!now.supersedes(before)) {
            return;
        }
        positions.put(client, record.value());
        long time = record.timestamp();
        // fence id -> {inside before, inside now}
        TreeMap<String, boolean[]> states = new TreeMap<>();
        TreeMap<String, FenceIndex.IndexedFence> entries = new TreeMap<>();
        for (FenceIndex.IndexedFence e : fences.containing(now.lat(), now.lng())) {
            if (applies(e, client, time)) {
                states.computeIfAbsent(e.fence().id(), k -> new boolean[2])[1] = true;
                entries.put(e.fence().id(), e);
            }
        }
        if (before != null) {
            for (FenceIndex.IndexedFence e : fences.containing(before.lat(), before.lng())) {
                if (applies(e, client, time)) {
                    states.computeIfAbsent(e.fence().id(), k -> new boolean[2])[0] = true;
                    entries.put(e.fence().id(), e);
                }
            }
        }
        if (states.isEmpty()) {
            return;
        }
        FenceEvent.Previous previous = before == null ? null
                : new FenceEvent.Previous(before.location(), before.lat(), before.lng(), before.clientTime());
        RecordMetadata meta = context.recordMetadata().orElse(null);
        FenceEvent.Source source = meta == null ? null : new FenceEvent.Source(locationsTopic, meta.partition(), meta.offset());
        boolean forwarded = false;
        for (var s : states.entrySet()) {
            boolean wasIn = s.getValue()[0];
            boolean isIn = s.getValue()[1];
            FenceIndex.IndexedFence e = entries.get(s.getKey());
            for (Fence.Detect d : detected(e.fence(), wasIn, isIn)) {
                FenceEvent event = new FenceEvent(e.fence().id(), d.wire(), client, now.location(), now.lat(), now.lng(),
                        now.clientTime(), now.node(), previous, e.fence().meta(), source);
                context.forward(record.withValue(Json.encode(event)));
                forwarded = true;
            }
        }
        if (forwarded) {
            eventsForwarded();
        }
    }

    private static boolean applies(FenceIndex.IndexedFence e, String client, long updateTime) {
        return e.since() <= updateTime && e.watches(client);
    }

    /** The events a fence reports for a client inside it before ({@code wasIn}) and now ({@code isIn}). */
    static List<Fence.Detect> detected(Fence fence, boolean wasIn, boolean isIn) {
        List<Fence.Detect> out = new ArrayList<>(2);
        if (isIn && !wasIn && fence.detect().contains(Fence.Detect.ENTER)) {
            out.add(Fence.Detect.ENTER);
        }
        if (wasIn && !isIn && fence.detect().contains(Fence.Detect.EXIT)) {
            out.add(Fence.Detect.EXIT);
        }
        if (isIn && fence.detect().contains(Fence.Detect.INSIDE)) {
            out.add(Fence.Detect.INSIDE);
        }
        return out;
    }
}
