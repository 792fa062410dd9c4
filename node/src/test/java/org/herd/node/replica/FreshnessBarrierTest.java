package org.herd.node.replica;

import org.apache.kafka.common.TopicPartition;
import org.herd.stream.store.AppliedOffsets;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The read barrier with lookups the test completes by hand: when a read is fresh, when it is stale and counted. */
class FreshnessBarrierTest {
    private static final String TOPIC = "herd.locations";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private final List<CompletableFuture<Map<TopicPartition, Long>>> lookups = new ArrayList<>();
    private final AppliedOffsets applied = new AppliedOffsets(TOPIC);
    private final LongAdder stale = new LongAdder();
    private final FreshnessBarrier barrier = new FreshnessBarrier(this::lookup, List.of(applied), TIMEOUT,
            Runnable::run, stale);

    private synchronized CompletableFuture<Map<TopicPartition, Long>> lookup() {
        CompletableFuture<Map<TopicPartition, Long>> f = new CompletableFuture<>();
        lookups.add(f);
        return f;
    }

    private synchronized CompletableFuture<Map<TopicPartition, Long>> lookupNumber(int i) {
        return lookups.get(i);
    }

    @Test
    void aReadIsFreshOnceTheStoreReachesTheEndLookedUpForIt() throws Exception {
        CompletableFuture<Boolean> read = barrier.awaitFresh();
        lookupNumber(0).complete(Map.of(P0, 5L));
        assertThat(read).isNotDone();
        applied.advance(0, 5);
        assertThat(read.get(1, TimeUnit.SECONDS)).isTrue();
        assertThat(stale.sum()).isZero();
    }

    @Test
    void aReadThatJoinsWhileALookupIsInFlightGetsTheWholeTimeoutForItsOwnLookup() throws Exception {
        CompletableFuture<Boolean> first = barrier.awaitFresh();
        CompletableFuture<Boolean> second = barrier.awaitFresh(); // waits for the next lookup
        // the first lookup is slow: longer than the timeout
        assertThat(first.get(2, TimeUnit.SECONDS)).isFalse();
        long secondLookupSent = System.nanoTime();
        lookupNumber(0).complete(Map.of(P0, 0L)); // now the second read's lookup is sent
        await().atMost(Duration.ofSeconds(2)).until(() -> lookups.size() == 2);
        lookupNumber(1).complete(Map.of(P0, 3L));
        assertThat(second).isNotDone(); // its deadline started with its own lookup, not with the first
        applied.advance(0, 3);
        assertThat(second.get(1, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - secondLookupSent).isLessThan(TIMEOUT.toNanos());
        await().atMost(Duration.ofSeconds(2)).until(() -> stale.sum() == 1);
    }

    @Test
    void aReadAnsweredFromLocalStateIsCountedAndLeavesNoWaiterBehind() throws Exception {
        CompletableFuture<Boolean> read = barrier.awaitFresh();
        lookupNumber(0).complete(Map.of(P0, 10L));
        assertThat(applied.waiting()).isEqualTo(1);
        assertThat(read.get(2, TimeUnit.SECONDS)).isFalse();
        // counted and forgotten as the timeout completes the wave (other stages of the same moment)
        await().atMost(Duration.ofSeconds(2)).until(() -> stale.sum() == 1 && applied.waiting() == 0);
    }

    @Test
    void aFailedLookupAnswersFromLocalStateAtOnce() throws Exception {
        CompletableFuture<Boolean> read = barrier.awaitFresh();
        long t0 = System.nanoTime();
        lookupNumber(0).completeExceptionally(new IllegalStateException("broker unreachable"));
        assertThat(read.get(1, TimeUnit.SECONDS)).isFalse();
        assertThat(System.nanoTime() - t0).isLessThan(TIMEOUT.toNanos());
        await().atMost(Duration.ofSeconds(2)).until(() -> stale.sum() == 1);
    }
}
