package org.herd.node.tcp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import org.herd.node.HerdService;
import org.herd.node.NodeMetrics;
import org.herd.node.TrafficLog;
import org.herd.node.protocol.Limits;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The line-protocol (IAMAT / WHATSAT) TCP server of one node. Limits (docs/protocol.md): at most
 * {@code maxConnections} open connections (one more is told {@code ERROR busy} and closed), a
 * connection idle for {@code idleTimeout} with nothing pending is closed, and each connection
 * has at most {@code maxPending} replies outstanding before the node stops reading from it.
 */
public final class LineServer implements AutoCloseable {
    static final byte[] BUSY = "ERROR busy too many connections\n".getBytes(StandardCharsets.UTF_8);

    private final Channel channel;

    private LineServer(Channel channel) {
        this.channel = channel;
    }

    /** Settings of the line-protocol server. */
    public record Settings(int maxPending, int maxConnections, Duration idleTimeout) {
    }

    public static LineServer start(String host, int port, EventLoopGroup boss, EventLoopGroup workers,
                                   HerdService service, TrafficLog traffic, NodeMetrics metrics, Clock clock,
                                   Settings settings) throws InterruptedException {
        AtomicInteger connections = new AtomicInteger();
        AtomicLong pendingReplies = new AtomicLong();
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > settings.maxConnections()) {
                            connections.decrementAndGet();
                            traffic.note("-", "refused " + ch.remoteAddress() + ": " + settings.maxConnections()
                                    + " connections open");
                            ch.writeAndFlush(Unpooled.wrappedBuffer(BUSY)).addListener(ChannelFutureListener.CLOSE);
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0,
                                        settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast("framer", new LineFramer(Limits.MAX_LINE_BYTES))
                                .addLast("session", new LineSession(service, traffic, metrics, clock,
                                        settings.maxPending(), pendingReplies));
                    }
                });
        LineServer server = new LineServer(b.bind(host, port).sync().channel());
        metrics.gauge("herd.connections", "Open line-protocol connections", connections::get, "protocol", "line");
        metrics.gauge("herd.line.pending.replies", "Line-protocol replies not yet written, all connections",
                pendingReplies::get);
        return server;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
