package org.herd.node.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
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
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.herd.node.TrafficLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An HTTP/1.1 server for one node's JSON API. One request at a time per connection (reading
 * pauses until the reply is written), so replies keep their order and a client cannot pile up
 * work. Bodies over {@link #MAX_BODY_BYTES} get 413.
 */
public final class HttpServer implements AutoCloseable {
    /** Largest request body accepted, in bytes. */
    public static final int MAX_BODY_BYTES = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final Channel channel;

    private HttpServer(Channel channel) {
        this.channel = channel;
    }

    public static HttpServer start(String host, int port, EventLoopGroup boss, EventLoopGroup workers,
                                   Function<FullHttpRequest, CompletableFuture<HttpReply>> router, TrafficLog traffic,
                                   int maxConnections, java.time.Duration idleTimeout)
            throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
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
                            String json = "{\"error\":{\"status\":503,\"message\":\"too many connections\"}}";
                            byte[] busy = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: " + json.length() + "\r\nConnection: close\r\n\r\n" + json)
                                    .getBytes(StandardCharsets.US_ASCII);
                            ch.writeAndFlush(Unpooled.wrappedBuffer(busy)).addListener(ChannelFutureListener.CLOSE);
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        ch.pipeline()
                                .addLast(new io.netty.handler.timeout.IdleStateHandler(0, 0, idleTimeout.toMillis(),
                                        java.util.concurrent.TimeUnit.MILLISECONDS))
                                .addLast(new HttpServerCodec(4096, 16 * 1024, 64 * 1024))
                                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast(new Handler(router, traffic));
                    }
                });
        return new HttpServer(b.bind(host, port).sync().channel());
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Function<FullHttpRequest, CompletableFuture<HttpReply>> router;
        private final TrafficLog traffic;
        private final String id = "h" + IDS.incrementAndGet();

        Handler(Function<FullHttpRequest, CompletableFuture<HttpReply>> router, TrafficLog traffic) {
            this.router = router;
            this.traffic = traffic;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            traffic.opened(id, ctx.channel().remoteAddress());
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            traffic.closed(id, ctx.channel().remoteAddress());
            super.channelInactive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            // an API key a Places client sends along must not reach the log
            String requestLine = req.method() + " " + req.uri().replaceAll("([?&]key=)[^&]*", "$1******");
            traffic.received(id, (requestLine + (req.content().isReadable()
                    ? " " + req.content().toString(StandardCharsets.UTF_8) : "")).getBytes(StandardCharsets.UTF_8));
            if (req.decoderResult().isFailure()) {
                write(ctx, HttpReply.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"), false);
                return;
            }
            ctx.channel().config().setAutoRead(false);
            CompletableFuture<HttpReply> reply;
            try {
                reply = router.apply(req.retain());
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            reply.whenComplete((r, e) -> {
                req.release();
                HttpReply out = e == null ? r : failure(e);
                ctx.executor().execute(() -> {
                    write(ctx, out, keepAlive);
                    ctx.channel().config().setAutoRead(true);
                });
            });
        }

        private static HttpReply failure(Throwable e) {
            log.warn("HTTP request failed: {}", e.toString());
            return HttpReply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
        }

        private void write(ChannelHandlerContext ctx, HttpReply r, boolean keepAlive) {
            traffic.sent(id, (r.status().code() + " " + new String(r.body(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8));
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                    Unpooled.wrappedBuffer(r.body()));
            if (r.contentType() != null) {
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
            }
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
            if (keepAlive) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(res);
            } else {
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof io.netty.handler.timeout.IdleStateEvent && ctx.channel().config().isAutoRead()) {
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
