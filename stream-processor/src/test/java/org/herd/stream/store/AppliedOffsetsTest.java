package org.herd.stream.store;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class AppliedOffsetsTest {
    private final AppliedOffsets applied = new AppliedOffsets("herd.locations");

    @Test
    void aWaiterCompletesWhenItsPositionIsApplied() {
        CompletableFuture<Void> f = applied.awaitPosition(1, 10);
        applied.advance(1, 9);
        assertThat(f).isNotDone();
        applied.advance(1, 10);
        assertThat(f).isCompleted();
        assertThat(applied.waiting()).isZero();
    }

    @Test
    void aCancelledWaiterIsForgottenAtOnce() {
        CompletableFuture<Void> f = applied.awaitPosition(0, 100);
        applied.awaitPosition(0, 100);
        assertThat(applied.waiting()).isEqualTo(2);
        f.cancel(false);
        assertThat(applied.waiting()).isEqualTo(1);
    }

    @Test
    void whenTheReplicaStopsEveryWaiterFailsAndNoneIsKept() {
        CompletableFuture<Void> f = applied.awaitPosition(2, 5);
        applied.fail(new IllegalStateException("replica closed"));
        assertThat(f).isCompletedExceptionally();
        assertThat(applied.awaitPosition(2, 6)).isCompletedExceptionally();
        assertThat(applied.awaitPosition(2, 0)).isCompleted(); // already applied: nothing to wait for
        assertThat(applied.waiting()).isZero();
    }
}
