package org.herd.node.replica;

import org.apache.kafka.common.TopicPartition;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Progress of a node's replay: idle, running (with counts and rate), done or failed. */
public final class Replay {
    /** What {@code GET /admin/replay} shows. */
    public record ReplayStatus(String state, Long startedAtMillis, Long finishedAtMillis, Map<String, Long> target,
                         Map<String, Long> applied, double percent, double recordsPerSecond, String error) {
    }

    /** The states of a replay; shown in lower case. */
    public enum State {
        IDLE, RUNNING, DONE, FAILED;

        String shown() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private State state = State.IDLE;
    private long startedNanos;
    private long finishedNanos;
    private Long startedAt;
    private Long finishedAt;
    private Map<String, Long> target = Map.of();
    private Map<String, Long> finalApplied = Map.of();
    private Replica building;
    private String error;

    public synchronized boolean running() {
        return state == State.RUNNING;
    }

    public synchronized void begin() {
        state = State.RUNNING;
        startedNanos = System.nanoTime();
        startedAt = System.currentTimeMillis();
        finishedAt = null;
        target = Map.of();
        finalApplied = Map.of();
        building = null;
        error = null;
    }

    /** Records, per topic, that the replay must apply: the end offsets when it started. */
    public synchronized Map<String, Long> target(Map<TopicPartition, Long> ends) {
        Map<String, Long> t = new TreeMap<>();
        ends.forEach((tp, end) -> t.merge(tp.topic(), end, Long::sum));
        target = t;
        return t;
    }

    public synchronized void building(Replica r) {
        building = r;
    }

    public synchronized Replica building() {
        return running() ? building : null;
    }

    public synchronized void finish(Exception failure) {
        finalApplied = building == null ? Map.of() : applied(building);
        finishedNanos = System.nanoTime();
        finishedAt = System.currentTimeMillis();
        state = failure == null ? State.DONE : State.FAILED;
        error = failure == null ? null : failure.toString();
        building = null;
    }

    public synchronized ReplayStatus status() {
        Map<String, Long> applied = running() && building != null ? applied(building) : finalApplied;
        long done = applied.values().stream().mapToLong(Long::longValue).sum();
        long total = target.values().stream().mapToLong(Long::longValue).sum();
        double seconds = startedAt == null ? 0
                : ((running() ? System.nanoTime() : finishedNanos) - startedNanos) / 1e9;
        double percent = total == 0 ? (state == State.IDLE ? 0 : 100) : Math.min(100.0, 100.0 * done / total);
        return new ReplayStatus(state.shown(), startedAt, finishedAt, target, applied, Math.round(percent * 10) / 10.0,
                seconds > 0 ? Math.round(done / seconds) : 0, error);
    }

    private static Map<String, Long> applied(Replica r) {
        Map<String, Long> m = new LinkedHashMap<>();
        r.applied().forEach((topic, parts) -> m.put(topic, parts.values().stream().mapToLong(Long::longValue).sum()));
        return m;
    }
}
