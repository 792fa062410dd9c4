package org.herd.node.net;

import org.herd.node.telemetry.TrafficLog;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The node's limits on connections, one connection at a time and all together. */
class ConnectionGuardTest {
    private final DefaultEventLoopGroup timers = new DefaultEventLoopGroup(1);
    private ConnectionGuard guard;

    private ConnectionGuard guard(int perAddress, long connectionMax, long nodeMax, Duration stall, Duration request) {
        guard = new ConnectionGuard(new ConnectionGuard.GuardSettings(perAddress, connectionMax, nodeMax, stall, request),
                new TrafficLog("Test", null), null, timers);
        return guard;
    }

    @AfterEach
    void stop() {
        if (guard != null) {
            guard.close();
        }
        timers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void oneAddressGetsAtMostItsShareOfConnections() {
        ConnectionGuard g = guard(2, 1000, 10_000, Duration.ofMinutes(1), Duration.ofMinutes(1));
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        assertThat(g.admit(a, "a", r -> null)).isNotNull();
        assertThat(g.admit(b, "b", r -> null)).isNotNull();
        assertThat(g.admit(new EmbeddedChannel(), "c", r -> null)).isNull();
        a.close();
        assertThat(g.admit(new EmbeddedChannel(), "d", r -> null)).as("a closed connection frees its place").isNotNull();
    }

    @Test
    void overTheNodeBudgetTheConnectionHoldingTheMostIsClosed() {
        ConnectionGuard g = guard(100, 1000, 10_000, Duration.ofMinutes(1), Duration.ofMinutes(1));
        EmbeddedChannel small = new EmbeddedChannel();
        EmbeddedChannel large = new EmbeddedChannel();
        ConnectionGuard.Guarded s = g.admit(small, "small", r -> null);
        ConnectionGuard.Guarded l = g.admit(large, "large", r -> null);
        s.reserve(3_000);
        l.reserve(6_000);
        assertThat(large.isOpen()).isTrue();
        s.reserve(2_000); // 11,000 > 10,000: the largest goes, though the smaller one asked
        assertThat(large.isOpen()).isFalse();
        assertThat(small.isOpen()).isTrue();
        l.release(6_000); // its bytes are dropped with it
        assertThat(g.nodeOutputBytes()).isEqualTo(5_000);
    }

    @Test
    void aConnectionIsFullAtItsOwnLimit() {
        ConnectionGuard g = guard(100, 1000, 10_000, Duration.ofMinutes(1), Duration.ofMinutes(1));
        ConnectionGuard.Guarded c = g.admit(new EmbeddedChannel(), "c", r -> null);
        c.reserve(999);
        assertThat(c.outputFull()).isFalse();
        c.reserve(1);
        assertThat(c.outputFull()).isTrue();
        c.release(500);
        assertThat(c.outputFull()).isFalse();
    }

    @Test
    void aClientThatTakesNoReplyBytesIsClosedAfterTheStallTimeout() {
        ConnectionGuard g = guard(100, 1000, 10_000, Duration.ofMillis(200), Duration.ofMinutes(1));
        EmbeddedChannel stalled = new EmbeddedChannel();
        EmbeddedChannel reading = new EmbeddedChannel();
        g.admit(stalled, "stalled", r -> null).reserve(100);
        ConnectionGuard.Guarded r = g.admit(reading, "reading", x -> null);
        r.reserve(100);
        r.release(100); // its client took everything: nothing waits
        await().atMost(Duration.ofSeconds(5)).until(() -> !stalled.isOpen());
        assertThat(reading.isOpen()).isTrue();
    }

    @Test
    void anUnfinishedRequestGetsItsFarewellAndIsClosedAfterTheDeadline() {
        ConnectionGuard g = guard(100, 1000, 10_000, Duration.ofMinutes(1), Duration.ofMillis(200));
        EmbeddedChannel slow = new EmbeddedChannel();
        ConnectionGuard.Guarded c = g.admit(slow, "slow", reason -> "bye: " + reason);
        c.partialInput(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> !slow.isOpen());
        assertThat((Object) slow.readOutbound()).isEqualTo("bye: REQUEST_TIMEOUT");
    }
}
