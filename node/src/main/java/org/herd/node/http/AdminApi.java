package org.herd.node.http;


import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.herd.node.service.NodeOperations;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The operators' HTTP API (docs/operations.md), served on a separate port bound to loopback by
 * default, never on the public ports: status, digest, the herd's digests, replay. The public API's
 * reads (GET) are answered here too, so that the live map opened on this port (docs/http.md, "The live map") shows
 * the operators' panel beside everything the public map shows, from one origin.
 */
public final class AdminApi {
    private final NodeOperations node;
    private final Supplier<String> metrics;
    private final Function<FullHttpRequest, CompletableFuture<HttpReply>> publicReads;
    private final Executor slow = ForkJoinPool.commonPool();

    private final java.util.Set<String> hosts;

    public AdminApi(NodeOperations node, Supplier<String> metrics,
                    Function<FullHttpRequest, CompletableFuture<HttpReply>> publicReads) {
        this(node, metrics, publicReads, java.util.Set.of());
    }

    /** {@code hosts}: names besides loopback ones that requests to this port may address it by ({@code herd.admin.hosts}). */
    public AdminApi(NodeOperations node, Supplier<String> metrics,
                    Function<FullHttpRequest, CompletableFuture<HttpReply>> publicReads, java.util.Set<String> hosts) {
        this.hosts = hosts;
        this.node = node;
        this.metrics = metrics;
        this.publicReads = publicReads;
    }

    public CompletableFuture<HttpReply> handle(FullHttpRequest req) {
        String path = new QueryStringDecoder(req.uri()).path();
        HttpMethod m = req.method();
        if (!RequestOrigin.adminHostAllowed(req.headers().get(HttpHeaderNames.HOST), hosts)) {
            return Requests.done(HttpReply.error(HttpResponseStatus.FORBIDDEN, "the operators' port answers requests for "
                    + "localhost, 127.0.0.1 or [::1] only (herd.admin.hosts adds names)"));
        }
        if (!m.equals(HttpMethod.GET) && req.headers().contains(HttpHeaderNames.ORIGIN)) {
            // a browser sends Origin with every cross-site POST, which needs no CORS to be sent: a web
            // page an operator visits must not start a replay; scripts/herd and curl send no Origin
            return Requests.done(HttpReply.error(HttpResponseStatus.FORBIDDEN,
                    "operator actions are not taken from web pages (the request has an Origin header): use scripts/herd or curl"));
        }
        switch (path) {
            case "/health":
                return get(m, () -> Requests.health(node.ready()));
            case "/metrics":
                return get(m, () -> HttpReply.prometheus(metrics.get()));
            case "/admin/status":
                return get(m, () -> HttpReply.json(HttpResponseStatus.OK, node.status()));
            case "/admin/digest":
                if (!node.ready()) {
                    return Requests.done(HttpReply.unavailable("the node has no replica to digest yet", 1));
                }
                // walks both stores: off the event loop
                return m.equals(HttpMethod.GET)
                        ? CompletableFuture.supplyAsync(() -> HttpReply.json(HttpResponseStatus.OK, node.digest()), slow)
                        : Requests.done(HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET"));
            case "/admin/herd":
                return m.equals(HttpMethod.GET)
                        ? node.herdDigests().thenApply(d -> HttpReply.json(HttpResponseStatus.OK, d))
                        : Requests.done(HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET"));
            case "/admin/replay":
                if (m.equals(HttpMethod.POST)) {
                    NodeOperations.ReplayAnswer r = node.startReplay();
                    return Requests.done(HttpReply.json(r.started() ? HttpResponseStatus.ACCEPTED
                            : HttpResponseStatus.CONFLICT, r.status()));
                }
                return get(m, () -> HttpReply.json(HttpResponseStatus.OK, node.replayStatus()));
            default:
                if (m.equals(HttpMethod.GET) && !path.startsWith("/admin/")) {
                    return publicReads.apply(req);
                }
                return Requests.done(HttpReply.error(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path));
        }
    }

    private static CompletableFuture<HttpReply> get(HttpMethod m, Supplier<HttpReply> reply) {
        return Requests.done(m.equals(HttpMethod.GET) ? reply.get()
                : HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET"));
    }
}
