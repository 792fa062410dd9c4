package org.herd.stream.store;

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
