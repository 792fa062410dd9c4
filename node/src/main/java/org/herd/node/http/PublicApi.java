package org.herd.node.http;

import static org.herd.node.http.Requests.*;

import org.herd.node.telemetry.NodeMetrics;

import org.herd.node.service.ClientService;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.herd.stream.fence.FenceParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The public HTTP/JSON API of a node (docs/http.md): the same writes and reads as the line
 * protocol, a drop-in Places Nearby Search endpoint, places and news for producers, health and
 * metrics. Validation is the line protocol's own, so both front doors accept exactly the same.
 */
public final class PublicApi {
    static final String NEARBY_SEARCH_PATH = "/maps/api/place/nearbysearch/json";

    private final ClientService service;
    private final Clock clock;
    private final Supplier<Boolean> ready;
    private final NodeMetrics metrics;
    private final FenceParser fenceParser = new FenceParser();
    private final java.util.concurrent.Executor validation;

    public PublicApi(ClientService service, Clock clock, Supplier<Boolean> ready, NodeMetrics metrics) {
        this(service, clock, ready, metrics, java.util.Set.of(), Runnable::run);
    }

    /**
     * {@code allowedOrigins}: web origins besides the node's own whose pages may write here
     * ({@code http.allowed.origins}); {@code validation}: where fences are read and validated (a
     * polygon of 10,000 positions takes tens of milliseconds), off the event loops the line
     * protocol shares; it may refuse work ({@link java.util.concurrent.RejectedExecutionException}):
     * the PUT then gets 503.
     */
    public PublicApi(ClientService service, Clock clock, Supplier<Boolean> ready, NodeMetrics metrics,
                     java.util.Set<String> allowedOrigins, java.util.concurrent.Executor validation) {
        this.validation = validation;
        this.allowedOrigins = allowedOrigins;
        this.service = service;
        this.clock = clock;
        this.ready = ready;
        this.metrics = metrics;
        this.router = router();
    }

    /** Every endpoint of the public API, in one place (docs/http.md, openapi.yaml). */
    private Router router() {
        List<Router.Route> all = new ArrayList<>(List.of(
                new Router.Route(HttpMethod.GET, "/health", false, c -> done(health(ready.get()))),
                new Router.Route(HttpMethod.GET, "/metrics", false, c -> done(HttpReply.prometheus(metrics.scrape()))),
                new Router.Route(HttpMethod.GET, "/openapi.yaml", false, c -> done(openApi())),
                new Router.Route(HttpMethod.GET, "/map", false, c -> done(map.file(""))),
                new Router.Route(HttpMethod.GET, "/map/{file}", false, c -> done(map.file(c.vars().get(0))))));
        all.addAll(new LocationResources(service, clock).routes());
        all.addAll(new PlaceResources(service).routes());
        all.addAll(new FenceResources(service, validation).routes());
        all.addAll(new StreamResources(service).routes());
        return new Router(all);
    }

    private final MapPage map = new MapPage();
    /** Made in the constructor, once the fields its resources read are set. */
    private final Router router;

    private final java.util.Set<String> allowedOrigins;

    /** Answers {@code req}: finds its route once, answers it, and times it under the route's label. */
    public CompletableFuture<HttpReply> handle(FullHttpRequest req) {
        long t0 = System.nanoTime();
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        List<String> seg = Router.segments(uri.path());
        List<Router.Route> samePath = router.samePath(seg);
        String label = Router.label(req.method(), samePath);
        return answer(req, uri, seg, samePath).whenComplete((r, e) -> {
            int code = e != null ? 500 : r.status().code();
            metrics.record("http", label, code >= 500 ? "error" : code >= 400 ? "invalid" : "ok", System.nanoTime() - t0);
        });
    }

    private CompletableFuture<HttpReply> answer(FullHttpRequest req, QueryStringDecoder uri, List<String> seg,
                                                List<Router.Route> samePath) {
        if (samePath.isEmpty()) {
            return done(HttpReply.error(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + uri.path()));
        }
        Router.Route route = samePath.stream().filter(r -> r.method().equals(req.method())).findFirst().orElse(null);
        if (route == null) {
            return done(methodNotAllowed());
        }
        if (!RequestOrigin.writeAllowed(req, allowedOrigins)) {
            return done(HttpReply.error(HttpResponseStatus.FORBIDDEN, "writes are not taken from web pages of other origins "
                    + "(the request's Origin is neither this node nor one of http.allowed.origins)"));
        }
        if (route.needsReplica() && !ready.get()) {
            // nothing is accepted or answered before the node's replica has caught up
            return done(HttpReply.unavailable("the node is starting or rebuilding; retry shortly", 1));
        }
        try {
            return route.handler().apply(new Router.Call(req, Router.vars(route, seg), uri.parameters()));
        } catch (BadRequest e) {
            return done(HttpReply.error(HttpResponseStatus.BAD_REQUEST, e.getMessage(), e.details));
        }
    }

    /**
     * The route's label, for metrics: method and template from the route table whatever is
     * requested (see {@link Router#label}).
     */
    String route(FullHttpRequest req) {
        return Router.label(req.method(), router.samePath(Router.segments(new QueryStringDecoder(req.uri()).path())));
    }

    private static HttpReply openApi() {
        try (InputStream in = PublicApi.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                return HttpReply.error(HttpResponseStatus.NOT_FOUND, "no OpenAPI description packaged");
            }
            return new HttpReply(HttpResponseStatus.OK, "application/yaml", in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
