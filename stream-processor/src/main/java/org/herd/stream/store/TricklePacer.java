package org.herd.stream.store;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When a consumer that follows a trickle of records may fetch again. After a poll that returned
 * some records but not a full batch (a trickle, not a catch-up), the next fetch waits until
 * {@code pause} after that poll, so that records arriving meanwhile come in one response: a
 * replica is woken at most once per pause under a steady trickle instead of once per record, and
 * a lone record after a quiet spell is still fetched at once. Used by the replicas' consumer
 * ({@code replica.apply.pause.ms}) and the derivation's ({@code fences.derivation.pause.ms}).
 */
public final class TricklePacer {
    private final long pauseNanos;
    private final int fullBatch;
    private final LongSupplier clock;
    private long pauseUntil;
    private boolean pausing;

    public TricklePacer(long pauseNanos, int fullBatch, LongSupplier clock) {
        this.pauseNanos = pauseNanos;
        this.fullBatch = fullBatch;
        this.clock = clock;
    }

    /** A pacer for a consumer of {@code config}: a full batch is its {@code max.poll.records}. */
    public static TricklePacer forConsumer(Map<String, Object> config, Duration pause) {
        Object max = config.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
        return new TricklePacer(pause.toNanos(),
                max == null ? ConsumerConfig.DEFAULT_MAX_POLL_RECORDS : Integer.parseInt(max.toString()), System::nanoTime);
    }

    /** Sleeps until the next poll may fetch ({@link #waitNanos}); an interrupt ends the wait and stays set. */
    public void awaitTurn() {
        long wait = waitNanos();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Nanoseconds to wait before the next poll; zero to poll at once. */
    public long waitNanos() {
        if (!pausing) {
            return 0;
        }
        pausing = false;
        return Math.max(0, pauseUntil - clock.getAsLong());
    }

    /** A poll returned {@code count} records. */
    public void polled(int count) {
        if (pauseNanos > 0 && count > 0 && count < fullBatch) {
            pausing = true;
            pauseUntil = clock.getAsLong() + pauseNanos;
        }
    }
}
