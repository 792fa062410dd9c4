package org.herd.node.tcp;

import org.herd.node.service.ClientService;
import org.herd.node.telemetry.NodeMetrics;
import org.herd.node.telemetry.TrafficLog;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import org.herd.node.net.CommandSlots;
import org.herd.node.net.ConnectionGuard;
import org.herd.node.protocol.LineLimits;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The line-protocol (IAMAT / WHATSAT) TCP server of one node. LineLimits (docs/protocol.md,
 * docs/reliability.md): at most {@code maxConnections} open connections, and at most
 * {@code connection.max.per.address} from one client address (one more is told
 * {@code ERROR busy ...} and closed); a connection idle for {@code idleTimeout} with nothing
 * pending is closed; a line unfinished after {@code connection.request.timeout.ms} gets
 * {@code ERROR timeout ...} and its connection is closed; each connection has at most
 * {@code maxPending} commands in flight and its pending reply bytes bounded by the
 * {@link ConnectionGuard} before the node stops reading from it.
 */
public final class LineServer implements AutoCloseable {
    static final byte[] BUSY = "ERROR busy too many connections\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] BUSY_ADDRESS = "ERROR busy too many connections from this address\n"
            .getBytes(StandardCharsets.UTF_8);
    private static final AtomicLong IDS = new AtomicLong();

    private final Channel channel;

    private LineServer(Channel channel) {
        this.channel = channel;
    }

    /** LineServerSettings of the line-protocol server. */
    public record LineServerSettings(int maxPending, int maxConnections, Duration idleTimeout) {
    }

    public static LineServer start(String host, int port, EventLoopGroup boss, EventLoopGroup workers,
                                   ClientService service, TrafficLog traffic, NodeMetrics metrics, Clock clock,
                                   LineServerSettings settings, ConnectionGuard guard, CommandSlots slots)
            throws InterruptedException {
        AtomicInteger connections = new AtomicInteger();
        AtomicLong pendingReplies = new AtomicLong();
        // the socket's own buffer counts as pending output too: unwritable at the per-connection limit
        int high = (int) Math.min(Integer.MAX_VALUE, guard.settings().connectionOutputMaxBytes());
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
                // reads of at most 16 KiB: what a paused connection holds unsplit
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 1024, 16 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > settings.maxConnections()) {
                            connections.decrementAndGet();
                            refuse(ch, traffic, BUSY, settings.maxConnections() + " connections open");
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        String id = "c" + IDS.incrementAndGet();
                        ConnectionGuard.Guarded conn = guard.admit(ch, id, reason ->
                                reason == ConnectionGuard.CloseReason.REQUEST_TIMEOUT
                                        ? Unpooled.wrappedBuffer(("ERROR timeout line not finished within "
                                        + guard.settings().requestTimeout().toMillis() + " ms\n")
                                        .getBytes(StandardCharsets.UTF_8))
                                        : null);
                        if (conn == null) {
                            refuse(ch, traffic, BUSY_ADDRESS, guard.settings().maxPerAddress()
                                    + " connections open from its address");
                            return;
                        }
                        LineSession[] session = new LineSession[1];
                        LineFramer framer = new LineFramer(LineLimits.MAX_LINE_BYTES, () -> session[0].holdLines(),
                                conn::partialInput);
                        session[0] = new LineSession(id, service, traffic, metrics, clock, settings.maxPending(),
                                pendingReplies, conn, framer, slots);
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0,
                                        settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast("framer", framer)
                                .addLast("session", session[0]);
                    }
                });
        LineServer server = new LineServer(b.bind(host, port).sync().channel());
        metrics.gauge("herd.connections", "Open line-protocol connections", connections::get, "protocol", "line");
        metrics.gauge("herd.line.pending.replies", "Line-protocol replies not yet written, all connections",
                pendingReplies::get);
        metrics.gauge("herd.commands.in.flight", "Queries in progress, all line-protocol connections (node.commands.inflight.max)",
                slots::inUse);
        metrics.gauge("herd.commands.waiting.connections", "Line-protocol connections waiting their turn for a query slot",
                slots::queued);
        return server;
    }

    private static void refuse(SocketChannel ch, TrafficLog traffic, byte[] message, String why) {
        traffic.note("-", "refused " + ch.remoteAddress() + ": " + why);
        ch.writeAndFlush(Unpooled.wrappedBuffer(message)).addListener(ChannelFutureListener.CLOSE);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
