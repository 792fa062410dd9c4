package org.herd.node.tcp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.herd.node.HerdService;
import org.herd.node.NodeMetrics;
import org.herd.node.TrafficLog;
import org.herd.node.protocol.Limits;

import java.net.InetSocketAddress;
import java.time.Clock;

/** The line-protocol (IAMAT / WHATSAT) TCP server of one node. */
public final class LineServer implements AutoCloseable {
    private final Channel channel;

    private LineServer(Channel channel) {
        this.channel = channel;
    }

    public static LineServer start(String host, int port, EventLoopGroup boss, EventLoopGroup workers,
                                   HerdService service, TrafficLog traffic, NodeMetrics metrics, Clock clock,
                                   int maxPending)
            throws InterruptedException {
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
                        ch.pipeline()
                                .addLast("framer", new LineFramer(Limits.MAX_LINE_BYTES))
                                .addLast("session", new LineSession(service, traffic, metrics, clock, maxPending));
                    }
                });
        return new LineServer(b.bind(host, port).sync().channel());
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
