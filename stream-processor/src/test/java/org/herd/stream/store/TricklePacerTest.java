package org.herd.stream.store;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TricklePacerTest {
    private static final long PAUSE = TimeUnit.MILLISECONDS.toNanos(5);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final TricklePacer pacer = new TricklePacer(PAUSE, 500, now::get);

    @Test
    void aLoneRecordAfterAQuietSpellIsFetchedAtOnce() {
        assertThat(pacer.waitNanos()).isZero();
        pacer.polled(0); // an empty poll: the fetch wait ran out with nothing to apply
        assertThat(pacer.waitNanos()).isZero();
    }

    @Test
    void afterAFewRecordsTheNextFetchWaitsOutThePauseFromThatPoll() {
        pacer.polled(3);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1)); // applying them took 1 ms
        assertThat(pacer.waitNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(4));
        // the wait is taken once: the poll after it fetches at once
        assertThat(pacer.waitNanos()).isZero();
    }

    @Test
    void applyingLongerThanThePauseMeansNoWait() {
        pacer.polled(1);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(7));
        assertThat(pacer.waitNanos()).isZero();
    }

    @Test
    void aFullBatchIsACatchUpAndIsNeverPaced() {
        pacer.polled(500);
        assertThat(pacer.waitNanos()).isZero();
    }

    @Test
    void aZeroPauseNeverWaits() {
        TricklePacer off = new TricklePacer(0, 500, now::get);
        off.polled(1);
        assertThat(off.waitNanos()).isZero();
    }
}
