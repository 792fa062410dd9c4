package org.herd.node.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import org.herd.node.net.ConnectionGuard;
import org.herd.node.protocol.Command;
import org.herd.node.protocol.Replies;
import org.herd.node.service.Busy;
import org.herd.node.service.ClientService;
import org.herd.node.service.EventSource;
import org.herd.node.telemetry.TrafficLog;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A connection turned into a stream of EVENT (WATCH) or NEWS (WATCHNEWS) lines. Its buffer is
 * the connection's output budget; a watcher that does not read is closed when it is full.
 */
final class WatchStream {
    private final String id;
    private final ClientService service;
    private final TrafficLog traffic;
    private final ConnectionGuard.Guarded conn;
    private EventSource.Subscription subscription;

    WatchStream(String id, ClientService service, TrafficLog traffic, ConnectionGuard.Guarded conn) {
        this.id = id;
        this.service = service;
        this.traffic = traffic;
        this.conn = conn;
    }

    /** Whether what a streaming command asks for exists: its fence ({@code *}: every fence), or its client. */
    static CompletableFuture<Boolean> exists(ClientService service, Command.Streaming streaming) {
        if (streaming instanceof Command.Watch watch) {
            return watch.everyFence() ? CompletableFuture.completedFuture(true)
                    : service.fence(watch.fence()).thenApply(Optional::isPresent);
        }
        return service.location(((Command.WatchNews) streaming).client()).thenApply(Optional::isPresent);
    }

    /** Whether the stream has begun (its subscription holds a subscriber slot until the connection closes). */
    boolean started() {
        return subscription != null;
    }

    /**
     * Subscribes, on the event loop, after every earlier reply was written; {@code inputClosed}:
     * the client closed its side before its watch began, so it has ended already.
     */
    void start(ChannelHandlerContext ctx, Command.Streaming streaming, boolean inputClosed) {
        String what = streaming instanceof Command.Watch w ? "WATCH " + w.fence()
                : "WATCHNEWS " + ((Command.WatchNews) streaming).client();
        try {
            if (streaming instanceof Command.Watch watch) {
                EventSource.Filter filter = new EventSource.Filter(watch.everyFence() ? Set.of() : Set.of(watch.fence()), null);
                subscription = service.events().subscribe(filter, new EventSource.Latest(), new LineSink(ctx));
            } else {
                Command.WatchNews news = (Command.WatchNews) streaming;
                subscription = service.news().subscribe(news.client(), news.radiusKm() * 1000, new EventSource.Latest(), new LineSink(ctx));
            }
        } catch (Busy e) {
            byte[] busy = (Replies.busy(what) + "\n").getBytes(StandardCharsets.UTF_8);
            traffic.sent(id, busy);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(busy)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        traffic.note(id, "watching: " + what);
        EventSource.Subscription s = subscription;
        ctx.channel().closeFuture().addListener(f -> s.close());
        if (inputClosed) {
            ctx.close();
        }
    }

    /** EVENT lines to a watching connection, written on its event loop. */
    private final class LineSink implements EventSource.Sink {
        private final ChannelHandlerContext ctx;

        LineSink(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public String peer() {
            return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
                    ? a.getAddress().getHostAddress() : "";
        }

        @Override
        public boolean offer(EventSource.EventMessage m) {
            if (conn.outputFull() || !ctx.channel().isActive()) {
                return false;
            }
            byte[] line = (lineOf(m.notice()) + "\n").getBytes(StandardCharsets.UTF_8);
            int n = line.length;
            conn.reserve(n);
            ctx.executor().execute(() -> {
                traffic.sent(id, line);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(line)).addListener(f -> conn.release(n));
            });
            return true;
        }

        @Override
        public void ended(String why) {
            ctx.executor().execute(() -> {
                traffic.note(id, "watch ended: " + why);
                ctx.close();
            });
        }
    }

    /** The {@code EVENT} or {@code NEWS} line of a notice (docs/protocol.md). */
    static String lineOf(EventSource.Notice notice) {
        if (notice instanceof EventSource.FenceNotice e) {
            return Replies.event(e.fence(), e.detect(), e.client(), e.location(), e.time(), e.node());
        }
        EventSource.NewsNotice n = (EventSource.NewsNotice) notice;
        return Replies.news(n.client(), n.place());
    }
}
