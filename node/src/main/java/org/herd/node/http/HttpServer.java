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
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.herd.stream.Json;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The HTTP/JSON server of one node. For now: {@code GET /health}, 200 once the node's stores have
 * caught up with the topics and 503 before, and {@code GET /status}, the node's counts and
 * applied offsets.
 */
public final class HttpServer implements AutoCloseable {
    /** Largest request body accepted, in bytes. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    private final Channel channel;

    private HttpServer(Channel channel) {
        this.channel = channel;
    }

    /** What the server reports; {@code ready} decides the health status. */
    public interface NodeStatus {
        boolean ready();

        Map<String, Object> describe();
    }

    public static HttpServer start(String host, int port, EventLoopGroup boss, EventLoopGroup workers,
                                   NodeStatus status) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast(new Handler(status));
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
        private final NodeStatus status;

        Handler(NodeStatus status) {
            this.status = status;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = new QueryStringDecoder(req.uri()).path();
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.method().equals(HttpMethod.GET)) {
                respond(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED,
                        () -> Map.of("error", "method not allowed"));
                return;
            }
            switch (path) {
                case "/health" -> {
                    boolean ready = status.ready();
                    respond(ctx, keepAlive, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            () -> Map.of("status", ready ? "UP" : "STARTING"));
                }
                case "/status" -> respond(ctx, keepAlive, HttpResponseStatus.OK, status::describe);
                default -> respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, () -> Map.of("error", "not found"));
            }
        }

        private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus code,
                                    Supplier<Object> body) {
            byte[] bytes = Json.encode(body.get());
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, code, Unpooled.wrappedBuffer(bytes));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            if (keepAlive) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(res);
            } else {
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
