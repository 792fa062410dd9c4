package org.herd.node.http;

import org.herd.node.telemetry.TrafficLog;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.herd.node.net.BodyBudget;
import org.herd.node.net.ConnectionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An HTTP/1.1 server for one node's JSON API. One request at a time per connection (reading
 * pauses until the reply is written; requests a client pipelines are answered in order, at most
 * {@value #MAX_QUEUED_REQUESTS} of them held), so a client cannot pile up work. Bodies over
 * {@link #MAX_BODY_BYTES} get 413. Limits shared with the line protocol (per address, pending
 * reply bytes, unfinished requests) are kept by the {@link ConnectionGuard}.
 */
public final class HttpServer implements AutoCloseable {
    /** Largest request body accepted, in bytes. */
    public static final int MAX_BODY_BYTES = 1 << 20;
    /** Requests read from one connection while an earlier one is served (HTTP pipelining). */
    static final int MAX_QUEUED_REQUESTS = 16;
    /** Header bytes counted for a response, beside its body. */
    private static final int HEADER_BYTES = 256;
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final Channel channel;

    private HttpServer(Channel channel) {
        this.channel = channel;
    }

    public static HttpServer start(String host, int port, EventLoopGroup boss, EventLoopGroup workers,
                                   Function<FullHttpRequest, CompletableFuture<HttpReply>> router, TrafficLog traffic,
                                   int maxConnections, Duration idleTimeout, ConnectionGuard guard, Duration heartbeat,
                                   BodyBudget bodies)
            throws InterruptedException {
        AtomicInteger connections = new AtomicInteger();
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > maxConnections) {
                            connections.decrementAndGet();
                            refuse(ch, traffic, "too many connections");
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        String id = "h" + IDS.incrementAndGet();
                        ConnectionGuard.Guarded conn = guard.admit(ch, id, reason ->
                                reason == ConnectionGuard.CloseReason.REQUEST_TIMEOUT
                                        ? response(HttpReply.error(HttpResponseStatus.REQUEST_TIMEOUT,
                                        "request not finished within " + guard.settings().requestTimeout().toMillis()
                                                + " ms"), false)
                                        : null);
                        if (conn == null) {
                            refuse(ch, traffic, "too many connections from this address");
                            return;
                        }
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(new PartialRequests(conn))
                                .addLast(new HttpServerCodec(4096, 16 * 1024, 64 * 1024))
                                .addLast(new UnfinishedBodies(bodies, traffic, id))
                                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast(new Handler(id, router, traffic, conn, heartbeat));
                    }
                });
        return new HttpServer(b.bind(host, port).sync().channel());
    }

    /** Tells a connection over a limit so, before any HTTP handler exists, and closes it. */
    private static void refuse(SocketChannel ch, TrafficLog traffic, String why) {
        traffic.note("-", "refused " + ch.remoteAddress() + ": " + why);
        String json = "{\"error\":{\"status\":503,\"message\":\"" + why + "\"}}";
        byte[] busy = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + json.length() + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + json)
                .getBytes(StandardCharsets.US_ASCII);
        ch.writeAndFlush(Unpooled.wrappedBuffer(busy)).addListener(ChannelFutureListener.CLOSE);
    }

    static FullHttpResponse response(HttpReply r, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                Unpooled.wrappedBuffer(r.body()));
        if (r.contentType() != null) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        }
        if (r.retryAfterSeconds() != null) {
            res.headers().setInt(HttpHeaderNames.RETRY_AFTER, r.retryAfterSeconds());
        }
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return res;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    /** Marks bytes read before the request they belong to is complete: the deadline of unfinished requests runs. */
    private static final class PartialRequests extends ChannelInboundHandlerAdapter {
        private final ConnectionGuard.Guarded conn;

        PartialRequests(ConnectionGuard.Guarded conn) {
            this.conn = conn;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b && b.isReadable()) {
                conn.partialInput(true);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Counts the body bytes a connection has sent for a request not yet complete against the
     * node's {@link BodyBudget}; a piece that does not fit gets 503 and the connection is closed.
     */
    private static final class UnfinishedBodies extends ChannelInboundHandlerAdapter {
        private final BodyBudget budget;
        private final TrafficLog traffic;
        private final String id;
        private InetAddress address;
        private long held;
        private boolean refused;

        UnfinishedBodies(BodyBudget budget, TrafficLog traffic, String id) {
            this.budget = budget;
            this.traffic = traffic;
            this.id = id;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refused) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof LastHttpContent) {
                giveBack();
            } else if (msg instanceof HttpContent c && c.content().isReadable()) {
                long n = c.content().readableBytes();
                if (address == null) {
                    address = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
                }
                if (!budget.take(address, n)) {
                    ReferenceCountUtil.release(msg);
                    giveBack();
                    refused = true;
                    traffic.note(id, "closing: unfinished request bodies over their limit");
                    // answer, then half-close: the rest of what the client sends is read and dropped
                    // until it closes (or the request timeout does), so that closing with its bytes
                    // unread does not reset the connection before it reads the answer
                    ctx.writeAndFlush(response(HttpReply.unavailable("the node holds too many unfinished request bodies "
                            + "(http.bodies.max.bytes); retry later", 1), false))
                            .addListener(f -> ((SocketChannel) ctx.channel()).shutdownOutput());
                    return;
                }
                held += n;
            }
            ctx.fireChannelRead(msg);
        }

        private void giveBack() {
            budget.give(address, held);
            held = 0;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            giveBack();
            super.channelInactive(ctx);
        }
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Function<FullHttpRequest, CompletableFuture<HttpReply>> router;
        private final TrafficLog traffic;
        private final ConnectionGuard.Guarded conn;
        private final String id;
        private final Duration heartbeat;
        private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
        private boolean serving;

        Handler(String id, Function<FullHttpRequest, CompletableFuture<HttpReply>> router, TrafficLog traffic,
                ConnectionGuard.Guarded conn, Duration heartbeat) {
            super(false); // requests are released once answered
            this.id = id;
            this.heartbeat = heartbeat;
            this.router = router;
            this.traffic = traffic;
            this.conn = conn;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            traffic.opened(id, ctx.channel().remoteAddress());
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            queued.forEach(FullHttpRequest::release);
            queued.clear();
            traffic.closed(id, ctx.channel().remoteAddress());
            super.channelInactive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            conn.partialInput(false);
            ctx.channel().config().setAutoRead(false);
            if (serving) {
                if (queued.size() >= MAX_QUEUED_REQUESTS) {
                    req.release();
                    traffic.note(id, "closing: more than " + MAX_QUEUED_REQUESTS + " pipelined requests");
                    ctx.close();
                    return;
                }
                queued.add(req);
                return;
            }
            serve(ctx, req);
        }

        private void serve(ChannelHandlerContext ctx, FullHttpRequest req) {
            serving = true;
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            // an API key a Places client sends along must not reach the log
            String requestLine = req.method() + " " + req.uri().replaceAll("([?&]key=)[^&]*", "$1******");
            traffic.received(id, (requestLine + (req.content().isReadable()
                    ? " " + req.content().toString(StandardCharsets.UTF_8) : "")).getBytes(StandardCharsets.UTF_8));
            if (req.decoderResult().isFailure()) {
                req.release();
                write(ctx, req.decoderResult().cause() instanceof TooLongFrameException
                        ? HttpReply.error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                                "request line (at most 4096 bytes) or headers (at most 16384) too long")
                        : HttpReply.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"), false);
                return;
            }
            CompletableFuture<HttpReply> reply;
            try {
                reply = router.apply(req);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            reply.whenComplete((r, e) -> {
                req.release();
                HttpReply out = e == null ? r : failure(e);
                ctx.executor().execute(() -> write(ctx, out, keepAlive));
            });
        }

        private static HttpReply failure(Throwable e) {
            log.warn("HTTP request failed: {}", e.toString());
            return HttpReply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
        }

        private void write(ChannelHandlerContext ctx, HttpReply r, boolean keepAlive) {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (r.stream() != null) {
                stream(ctx, r);
                return;
            }
            traffic.sent(id, (r.status().code() + " " + new String(r.body(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8));
            long n = r.body().length + HEADER_BYTES;
            conn.reserve(n);
            ctx.writeAndFlush(response(r, keepAlive)).addListener(f -> {
                conn.release(n);
                if (!keepAlive) {
                    ctx.close();
                }
            });
            serving = false;
            if (!keepAlive) {
                return;
            }
            FullHttpRequest next = queued.poll();
            if (next != null) {
                serve(ctx, next);
            } else {
                ctx.channel().config().setAutoRead(true);
            }
        }

        /**
         * Starts an event stream: subscribes, then writes the head; a subscription refused
         * (busy, or a bad position) is answered as any reply. The connection then carries only
         * this stream (further requests on it are not served) until either side closes it.
         */
        private void stream(ChannelHandlerContext ctx, HttpReply r) {
            SseStream sse = new SseStream(ctx, conn, traffic, id);
            org.herd.node.service.EventSource.Subscription s;
            try {
                s = r.stream().apply(sse);
            } catch (org.herd.node.service.Busy e) {
                write(ctx, HttpReply.unavailable(e.getMessage(), 1), false);
                return;
            } catch (IllegalArgumentException e) {
                write(ctx, HttpReply.error(HttpResponseStatus.BAD_REQUEST, e.getMessage()), false);
                return;
            }
            traffic.sent(id, ("200 " + r.contentType()).getBytes(StandardCharsets.UTF_8));
            ctx.writeAndFlush(SseStream.head(r.contentType()));
            sse.started(s, heartbeat);
            ctx.channel().config().setAutoRead(true); // a client's close is seen at once
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent && !serving) {
                traffic.note(id, "idle timeout");
                ctx.close();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                write(ctx, HttpReply.error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, cause.getMessage()), false);
            } else {
                ctx.close();
            }
        }
    }
}
