package org.herd.node.net;

import org.herd.node.telemetry.NodeMetrics;
import org.herd.node.telemetry.TrafficLog;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * What a node's public connections may hold, whatever their clients do (docs/reliability.md).
 * Limits in bytes, per connection and per node, as Redis keeps them:
 * <ul>
 *   <li>connections per client address ({@code connection.max.per.address});</li>
 *   <li>reply bytes pending per connection ({@code connection.output.max.bytes}): past it the
 *       node starts no more of that connection's commands and stops reading from it;</li>
 *   <li>reply bytes pending on the whole node ({@code node.output.max.bytes}): past it the
 *       connection holding the most is closed, then the next, until the node is under it again
 *       (as Redis's {@code maxmemory-clients});</li>
 *   <li>a connection whose client has not taken any reply bytes for
 *       {@code connection.output.stall.timeout.ms} is closed (Redis's soft limit);</li>
 *   <li>a line or HTTP request not finished within {@code connection.request.timeout.ms} of its
 *       first byte gets a timeout answer and its connection is closed (slow-loris clients).</li>
 * </ul>
 * Pending bytes are reserved by the protocol handlers when a reply is ready and released when
 * the socket has taken it (or the connection closed).
 */
public final class ConnectionGuard implements AutoCloseable {
    /** The limits; see the class comment. */
    public record GuardSettings(int maxPerAddress, long connectionOutputMaxBytes, long nodeOutputMaxBytes,
                           Duration stallTimeout, Duration requestTimeout) {
    }

    /** Why the node closed a connection; a fixed set, for the metric's label. */
    public enum CloseReason {
        OUTPUT_BUDGET, OUTPUT_STALLED, REQUEST_TIMEOUT;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final GuardSettings settings;
    private final TrafficLog traffic;
    private final AtomicLong nodeOutput = new AtomicLong();
    /** Open connections per client address; an address with none has no entry. */
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final Set<Guarded> open = ConcurrentHashMap.newKeySet();
    private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);
    private final LongAdder refusedPerAddress = new LongAdder();
    private final ScheduledFuture<?> sweeper;

    /** {@code metrics}: where to count closes and pending bytes; null for none. */
    public ConnectionGuard(GuardSettings settings, TrafficLog traffic, NodeMetrics metrics, EventLoopGroup timers) {
        this.settings = settings;
        this.traffic = traffic;
        for (CloseReason r : CloseReason.values()) {
            closed.put(r, new LongAdder());
        }
        if (metrics != null) {
            registerMetrics(metrics);
        }
        long every = Math.max(50, Math.min(1000, Math.min(settings.stallTimeout().toMillis(),
                settings.requestTimeout().toMillis()) / 4));
        this.sweeper = timers.next().scheduleAtFixedRate(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    private void registerMetrics(NodeMetrics metrics) {
        for (CloseReason r : CloseReason.values()) {
            LongAdder n = closed.get(r);
            metrics.counter("herd.connections.closed", "Connections the node closed to keep within its limits",
                    n::sum, "reason", r.label());
        }
        metrics.counter("herd.connections.refused", "Connections refused because their address has too many open",
                refusedPerAddress::sum, "reason", "per_address");
        metrics.gauge("herd.output.pending.bytes", "Reply bytes ready or written but not yet taken by clients, whole node",
                nodeOutput::get);
    }

    public GuardSettings settings() {
        return settings;
    }

    /**
     * Registers a new connection, or returns null if its address already has
     * {@code connection.max.per.address} open (the caller then refuses it).
     * {@code farewell} makes the message sent before the node closes it for a timeout.
     */
    public Guarded admit(Channel channel, String id, Function<CloseReason, Object> farewell) {
        InetAddress address = addressOf(channel.remoteAddress());
        boolean[] admitted = new boolean[1];
        perAddress.compute(address, (a, n) -> {
            int open = n == null ? 0 : n;
            admitted[0] = open < settings.maxPerAddress();
            return admitted[0] ? open + 1 : n;
        });
        if (!admitted[0]) {
            refusedPerAddress.increment();
            return null;
        }
        Guarded conn = new Guarded(channel, id, farewell);
        open.add(conn);
        channel.closeFuture().addListener(f -> {
            open.remove(conn);
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        });
        return conn;
    }

    private static InetAddress addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress() : InetAddress.getLoopbackAddress();
    }

    /** Reply bytes pending on the whole node. */
    public long nodeOutputBytes() {
        return nodeOutput.get();
    }

    /** Closes the connections holding the most pending output until the rest fit in the node's budget. */
    private synchronized void evictWhileOverBudget() {
        long total = 0;
        for (Guarded c : open) {
            if (!c.evicted) {
                total += c.output.get();
            }
        }
        while (total > settings.nodeOutputMaxBytes()) {
            Guarded largest = null;
            for (Guarded c : open) {
                if (!c.evicted && (largest == null || c.output.get() > largest.output.get())) {
                    largest = c;
                }
            }
            if (largest == null || largest.output.get() == 0) {
                return;
            }
            total -= largest.output.get();
            largest.close(CloseReason.OUTPUT_BUDGET, "the node's reply bytes passed node.output.max.bytes ("
                    + settings.nodeOutputMaxBytes() + "); this connection held the most (" + largest.output.get() + ")");
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Guarded c : open) {
            long partial = c.partialSince;
            if (partial != 0 && now - partial > settings.requestTimeout().toNanos()) {
                c.close(CloseReason.REQUEST_TIMEOUT, "request not finished within "
                        + settings.requestTimeout().toMillis() + " ms");
            } else if (c.output.get() > 0 && now - c.lastProgress > settings.stallTimeout().toNanos()) {
                c.close(CloseReason.OUTPUT_STALLED, "the client took no reply bytes for "
                        + settings.stallTimeout().toMillis() + " ms");
            }
        }
    }

    @Override
    public void close() {
        sweeper.cancel(false);
    }

    /** One connection's share: its pending reply bytes, its unfinished input, and how to close it. */
    public final class Guarded {
        private final Channel channel;
        private final String id;
        private final Function<CloseReason, Object> farewell;
        private final AtomicLong output = new AtomicLong();
        private volatile long lastProgress = System.nanoTime();
        private volatile long partialSince;
        private volatile boolean evicted;

        private Guarded(Channel channel, String id, Function<CloseReason, Object> farewell) {
            this.channel = channel;
            this.id = id;
            this.farewell = farewell;
        }

        /** A reply of {@code bytes} is ready for this connection. */
        public void reserve(long bytes) {
            if (output.getAndAdd(bytes) == 0) {
                lastProgress = System.nanoTime(); // the stall clock starts when output starts waiting
            }
            if (nodeOutput.addAndGet(bytes) > settings.nodeOutputMaxBytes()) {
                evictWhileOverBudget();
            }
        }

        /** The socket took {@code bytes} of this connection's replies, or they were dropped with it. */
        public void release(long bytes) {
            output.addAndGet(-bytes);
            nodeOutput.addAndGet(-bytes);
            lastProgress = System.nanoTime();
        }

        /** Whether this connection's pending replies reached {@code connection.output.max.bytes}. */
        public boolean outputFull() {
            return output.get() >= settings.connectionOutputMaxBytes();
        }

        public long outputBytes() {
            return output.get();
        }

        /** {@code connection.output.max.bytes}. */
        public long outputLimit() {
            return settings.connectionOutputMaxBytes();
        }

        /** Whether an unfinished line or request is buffered (its deadline runs from the first such call). */
        public void partialInput(boolean partial) {
            if (!partial) {
                partialSince = 0;
            } else if (partialSince == 0) {
                partialSince = System.nanoTime();
            }
        }

        void close(CloseReason reason, String why) {
            if (evicted) {
                return;
            }
            evicted = true;
            closed.get(reason).increment();
            traffic.note(id, "closed by the node (" + reason.label() + "): " + why);
            Object last = farewell.apply(reason);
            if (last != null && channel.isActive()) {
                channel.writeAndFlush(last).addListener(f -> channel.close());
                channel.eventLoop().schedule(() -> channel.close(), 1, TimeUnit.SECONDS); // if the farewell cannot be written
            } else {
                channel.close();
            }
        }
    }
}
