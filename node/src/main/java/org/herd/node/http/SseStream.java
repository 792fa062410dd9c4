package org.herd.node.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.herd.node.net.ConnectionGuard;
import org.herd.node.protocol.NearbySearchJson;
import org.herd.node.service.EventSource;
import org.herd.node.telemetry.TrafficLog;
import org.herd.stream.model.Json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Server-Sent Events response (docs/http.md): {@code id:}, {@code event:} and {@code data:}
 * lines per event, a comment line as a heartbeat every {@code heartbeat}. Its buffer is the
 * connection's output budget ({@code connection.output.max.bytes}): a subscriber that does not
 * read is dropped once it is full (told so in a last comment when it can still be written), and
 * reconnects with its last event id. Events arrive on the feed's thread and are written on the
 * connection's event loop.
 */
final class SseStream implements EventSource.Sink {
    private final ChannelHandlerContext ctx;
    private final ConnectionGuard.Guarded conn;
    private final TrafficLog traffic;
    private final String id;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Bytes offered and not yet taken by the socket; guarded by this object's monitor for waiting. */
    private long pending;
    private ScheduledFuture<?> heartbeats;
    private EventSource.Subscription subscription;

    @Override
    public String peer() {
        return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
            ? a.getAddress().getHostAddress() : "";
    }

    SseStream(ChannelHandlerContext ctx, ConnectionGuard.Guarded conn, TrafficLog traffic, String id) {
        this.ctx = ctx;
        this.conn = conn;
        this.traffic = traffic;
        this.id = id;
    }

    /** The response head: 200, {@code text/event-stream}, chunked, not to be cached or buffered by proxies. */
    static HttpResponse head(String contentType) {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        res.headers().set("X-Accel-Buffering", "no");
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        HttpUtil.setTransferEncodingChunked(res, true);
        return res;
    }

    /** Called on the event loop once the head is written; ends the subscription when the connection closes. */
    void started(EventSource.Subscription s, Duration heartbeat) {
        this.subscription = s;
        traffic.note(id, "event stream started");
        heartbeats = ctx.executor().scheduleAtFixedRate(() -> write(": heartbeat\n\n"),
                heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> {
            heartbeats.cancel(false);
            s.close();
            synchronized (this) {
                notifyAll(); // a replay waiting for room stops waiting
            }
            traffic.note(id, "event stream ended");
        });
        if (!ctx.channel().isActive()) {
            s.close();
        }
    }

    @Override
    public boolean offer(EventSource.EventMessage m) {
        if (ended.get() || conn.outputFull()) {
            return false;
        }
        byte[] head = ("id: " + m.id() + "\nevent: " + m.event() + "\ndata: ").getBytes(StandardCharsets.UTF_8);
        ByteBuf frame = Unpooled.wrappedBuffer(head, jsonOf(m.notice()), "\n\n".getBytes(StandardCharsets.UTF_8));
        write(frame);
        return true;
    }

    @Override
    public void ended(String why) {
        if (ended.compareAndSet(false, true)) {
            ctx.executor().execute(() -> {
                traffic.note(id, "event stream ended: " + why);
                if (!conn.outputFull()) {
                    ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(": ended: " + why.replace('\n', ' ') + "\n\n",
                            StandardCharsets.UTF_8)));
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.close();
                }
            });
        }
    }

    private void write(String comment) {
        write(Unpooled.copiedBuffer(comment, StandardCharsets.UTF_8));
    }

    private void write(ByteBuf bytes) {
        long n = bytes.readableBytes();
        conn.reserve(n);
        synchronized (this) {
            pending += n;
        }
        ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) {
                bytes.release();
                written(n);
                return;
            }
            ctx.writeAndFlush(new DefaultHttpContent(bytes)).addListener(f -> written(n));
        });
    }

    private void written(long n) {
        conn.release(n);
        synchronized (this) {
            pending -= n;
            notifyAll();
        }
    }

    /** Room for a replayed batch: a quarter of the connection's budget or less is waiting. */
    @Override
    public boolean awaitRoom(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        long room = conn.outputLimit() / 4;
        synchronized (this) {
            while (pending > room && !ended.get() && ctx.channel().isActive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return !ended.get() && ctx.channel().isActive();
        }
    }

    EventSource.Subscription subscription() {
        return subscription;
    }

    /** A notice's JSON on one line: a fence event as stored, a news item as a Nearby Search result. */
    static byte[] jsonOf(EventSource.Notice notice) {
        if (notice instanceof EventSource.FenceNotice e) {
            return e.json();
        }
        return Json.encode(NearbySearchJson.place(((EventSource.NewsNotice) notice).place()));
    }
}
