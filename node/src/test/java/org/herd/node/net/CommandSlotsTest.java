package org.herd.node.net;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Query slots: bounded, and handed out in turns to the connections that wait. */
class CommandSlotsTest {
    @Test
    void slotsAreBoundedAndAFreedSlotGoesToTheConnectionThatWaitedLongest() {
        CommandSlots slots = new CommandSlots(2);
        List<String> granted = new ArrayList<>();
        assertThat(slots.acquireOrQueue(() -> granted.add("never"))).isTrue();
        assertThat(slots.acquireOrQueue(() -> granted.add("never"))).isTrue();
        assertThat(slots.acquireOrQueue(() -> granted.add("first"))).isFalse();
        assertThat(slots.acquireOrQueue(() -> granted.add("second"))).isFalse();
        assertThat(slots.queued()).isEqualTo(2);

        slots.release();
        assertThat(granted).containsExactly("first");
        assertThat(slots.inUse()).isEqualTo(2); // handed over, not freed
        // a newcomer queues behind those already waiting, even now
        assertThat(slots.acquireOrQueue(() -> granted.add("third"))).isFalse();
        slots.release();
        slots.release();
        assertThat(granted).containsExactly("first", "second", "third");
        slots.release();
        slots.release();
        assertThat(slots.inUse()).isZero();
        assertThat(slots.acquireOrQueue(() -> granted.add("never"))).isTrue();
    }
}
