package org.herd.node.replica;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A replay's states, as operators see them: idle, running, then done or failed. */
class ReplayTest {
    private final Replay replay = new Replay();

    @Test
    void aNodeThatNeverReplayedIsIdle() {
        assertThat(replay.running()).isFalse();
        assertThat(replay.status().state()).isEqualTo("idle");
        assertThat(replay.status().percent()).isZero();
    }

    @Test
    void aReplayRunsUntilItIsDoneAndKeepsItsTarget() {
        replay.begin();
        assertThat(replay.running()).isTrue();
        assertThat(replay.target(Map.of(new TopicPartition("herd.locations", 0), 5L,
                new TopicPartition("herd.locations", 1), 7L, new TopicPartition("herd.places", 0), 3L)))
                .containsEntry("herd.locations", 12L).containsEntry("herd.places", 3L);
        Replay.ReplayStatus running = replay.status();
        assertThat(running.state()).isEqualTo("running");
        assertThat(running.startedAtMillis()).isNotNull();
        assertThat(running.finishedAtMillis()).isNull();

        replay.finish(null);
        Replay.ReplayStatus done = replay.status();
        assertThat(replay.running()).isFalse();
        assertThat(done.state()).isEqualTo("done");
        assertThat(done.finishedAtMillis()).isNotNull();
        assertThat(done.error()).isNull();
    }

    @Test
    void aFailedReplaySaysWhyAndANewOneStartsAfresh() {
        replay.begin();
        replay.finish(new IllegalStateException("broker gone"));
        assertThat(replay.status().state()).isEqualTo("failed");
        assertThat(replay.status().error()).contains("broker gone");

        replay.begin();
        assertThat(replay.status().state()).isEqualTo("running");
        assertThat(replay.status().error()).isNull();
        assertThat(replay.building()).isNull();
    }
}
