package org.herd.node.service;

import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.model.Location;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class UnappliedWritesTest {
    private final AppliedOffsets applied = new AppliedOffsets("herd.locations");

    private static Location at(String client, String time) {
        return new Location(client, "+34.068930-118.445127", 34.06893, -118.445127, time, "Alford",
                "AT Alford +0.000000000 " + client + " +34.068930-118.445127 " + time, "+0.000000000");
    }

    @Test
    void anUnappliedUpdateIsSeenUntilTheReplicaAppliesIt() {
        UnappliedWrites w = new UnappliedWrites(10);
        Location mine = at("kiwi", "2.0");
        assertThat(w.add(mine, 0, 5, applied)).isTrue();

        assertThat(w.newest("kiwi", Optional.empty(), applied)).contains(mine);
        assertThat(w.newest("kiwi", Optional.of(at("kiwi", "1.0")), applied)).contains(mine);
        assertThat(w.newest("other", Optional.empty(), applied)).isEmpty();

        applied.advance(0, 6); // offset 5 applied
        Location stored = at("kiwi", "1.5");
        assertThat(w.newest("kiwi", Optional.of(stored), applied)).contains(stored);
        assertThat(w.size()).isZero();
    }

    @Test
    void theStoresRuleDecides() {
        UnappliedWrites w = new UnappliedWrites(10);
        Location first = at("kiwi", "3.0");
        Location older = at("kiwi", "2.0");
        Location tie = at("kiwi", "3.0");
        w.add(first, 0, 1, applied);
        w.add(older, 0, 2, applied);
        w.add(tie, 0, 3, applied);
        // strictly newer client time wins; on a tie the one acknowledged first, as in the store
        assertThat(w.newest("kiwi", Optional.empty(), applied)).containsSame(first);
        Location storedNewer = at("kiwi", "4.0");
        assertThat(w.newest("kiwi", Optional.of(storedNewer), applied)).containsSame(storedNewer);
        Location storedTie = at("kiwi", "3.0");
        assertThat(w.newest("kiwi", Optional.of(storedTie), applied)).containsSame(storedTie);
    }

    @Test
    void fullMeansNoAndFreesAsTheReplicaApplies() {
        UnappliedWrites w = new UnappliedWrites(2);
        assertThat(w.add(at("a", "1"), 0, 0, applied)).isTrue();
        assertThat(w.add(at("b", "1"), 1, 0, applied)).isTrue();
        assertThat(w.add(at("c", "1"), 0, 1, applied)).isFalse();
        assertThat(w.newest("c", Optional.empty(), applied)).isEmpty();

        applied.advance(0, 1);
        assertThat(w.add(at("c", "1"), 0, 1, applied)).isTrue();
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.newest("a", Optional.empty(), applied)).isEmpty();
    }

    @Test
    void zeroKeepsNothing() {
        UnappliedWrites w = new UnappliedWrites(0);
        assertThat(w.add(at("a", "1"), 0, 0, applied)).isFalse();
    }
}
