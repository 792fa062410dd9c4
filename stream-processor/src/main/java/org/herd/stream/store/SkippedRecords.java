package org.herd.stream.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records of one topic that a store skipped instead of applying, by reason: a fixed set, so a
 * metric built on it has a bounded label set whatever producers write.
 */
public final class SkippedRecords {
    /** Why a record was skipped (docs/topics.md has the record formats). */
    public enum Reason {
        /** No key, or a key that is not a valid client or place id. */
        BAD_KEY,
        /** Not JSON, or JSON that is not the topic's record format. */
        NOT_DECODABLE,
        /** Decodes, but a field is missing or out of range, or the key differs from the record's id. */
        INVALID
    }

    private static final Logger log = LoggerFactory.getLogger(SkippedRecords.class);
    private static final long LOG_EVERY_NANOS = 1_000_000_000L;

    private final String topic;
    private long lastLogged = System.nanoTime() - LOG_EVERY_NANOS;
    private long unlogged;
    private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);

    public SkippedRecords(String topic) {
        this.topic = topic;
        for (Reason r : Reason.values()) {
            counts.put(r, new LongAdder());
        }
    }

    public String topic() {
        return topic;
    }

    /**
     * Counts a skipped record and logs it, at most once a second (a producer writing nothing but
     * bad records must not flood the log): the others are summed into the next line.
     */
    public void count(Reason reason, String key) {
        counts.get(reason).increment();
        unlogged++;
        long now = System.nanoTime();
        if (now - lastLogged >= LOG_EVERY_NANOS) {
            String shown = key == null ? null : key.substring(0, Math.min(key.length(), 200));
            log.warn("{}: skipped a record ({}), key={}; {} skipped since the last such line", topic, reason, shown,
                    unlogged);
            lastLogged = now;
            unlogged = 0;
        }
    }

    public long get(Reason reason) {
        return counts.get(reason).sum();
    }
}
