package org.herd.node.http;

import org.herd.stream.Problems;
import org.herd.node.service.NearbyQuery;
import org.herd.node.telemetry.NodeMetrics;
import org.herd.node.service.Busy;
import org.herd.node.service.ClientsQuery;

import org.herd.node.service.ClientService;
import org.herd.node.service.EventSource;
import org.herd.node.service.LimitReached;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.herd.node.protocol.Command;
import org.herd.node.protocol.LineParser;
import org.herd.node.protocol.Limits;
import org.herd.node.protocol.NearbySearchJson;
import org.herd.stream.Json;
import org.herd.stream.Place;
import org.herd.stream.fence.Fence;
import org.herd.stream.fence.FenceParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
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
    }

    /** What a route's handler gets: the request, the path's variables in template order, the query. */
    private record Call(FullHttpRequest request, List<String> vars, Map<String, List<String>> query) {
    }

    /**
     * One route: method, path template ({@code {name}} matches one segment), whether it needs the
     * node's replica (then it answers 503 until there is one), and its handler. The template is
     * also the route's metrics label, so labels come from this table and nothing else.
     */
    private record Route(HttpMethod method, String template, boolean needsReplica,
                         Function<Call, CompletableFuture<HttpReply>> handler) {
        List<String> segments() {
            return PublicApi.segments(template);
        }
    }

    /** Every endpoint of the public API, in one place (docs/http.md, openapi.yaml). */
    private List<Route> routes() {
        return List.of(
                new Route(HttpMethod.GET, "/health", false, c -> done(health(ready.get()))),
                new Route(HttpMethod.GET, "/metrics", false, c -> done(HttpReply.prometheus(metrics.scrape()))),
                new Route(HttpMethod.GET, "/openapi.yaml", false, c -> done(openApi())),
                new Route(HttpMethod.GET, "/map", false, c -> done(map.file(""))),
                new Route(HttpMethod.GET, "/map/{file}", false, c -> done(map.file(c.vars().get(0)))),
                new Route(HttpMethod.GET, NEARBY_SEARCH_PATH, true, c -> nearbySearch(c.query())),
                new Route(HttpMethod.POST, "/v1/locations", true, c -> postLocation(c.request())),
                new Route(HttpMethod.GET, "/v1/locations", true, c -> clients(c.query())),
                new Route(HttpMethod.GET, "/v1/locations/{client}", true, c -> getLocation(c.vars().get(0))),
                new Route(HttpMethod.GET, "/v1/locations/{client}/nearby", true,
                        c -> clientNearby(c.vars().get(0), c.query())),
                new Route(HttpMethod.GET, "/v1/locations/{client}/news", true,
                        c -> clientNews(c.vars().get(0), c.request(), c.query())),
                new Route(HttpMethod.POST, "/v1/places", true, c -> postPlaces(c.request())),
                new Route(HttpMethod.GET, "/v1/places/{id}", true, c -> getPlace(c.vars().get(0))),
                new Route(HttpMethod.PUT, "/v1/places/{id}", true, c -> putPlace(c.vars().get(0), c.request())),
                new Route(HttpMethod.DELETE, "/v1/places/{id}", true, c -> deletePlace(c.vars().get(0))),
                new Route(HttpMethod.GET, "/v1/fences", true, c -> listFences(c.query())),
                new Route(HttpMethod.GET, "/v1/events", true, c -> events(null, c.request(), c.query())),
                new Route(HttpMethod.GET, "/v1/fences/{id}/events", true, c -> events(c.vars().get(0), c.request(), c.query())),
                new Route(HttpMethod.PUT, "/v1/fences/{id}", true, c -> putFence(c.vars().get(0), c.request())),
                new Route(HttpMethod.GET, "/v1/fences/{id}", true, c -> getFence(c.vars().get(0))),
                new Route(HttpMethod.DELETE, "/v1/fences/{id}", true, c -> deleteFence(c.vars().get(0))));
    }

    private final MapPage map = new MapPage();
    private final List<Route> routes = routes();

    private final java.util.Set<String> allowedOrigins;

    /** Answers {@code req}: finds its route once, answers it, and times it under the route's label. */
    public CompletableFuture<HttpReply> handle(FullHttpRequest req) {
        long t0 = System.nanoTime();
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        List<String> seg = segments(uri.path());
        List<Route> samePath = routes.stream().filter(r -> vars(r, seg) != null).toList();
        String label = label(req.method(), samePath);
        return answer(req, uri, seg, samePath).whenComplete((r, e) -> {
            int code = e != null ? 500 : r.status().code();
            metrics.record("http", label, code >= 500 ? "error" : code >= 400 ? "invalid" : "ok", System.nanoTime() - t0);
        });
    }

    private CompletableFuture<HttpReply> answer(FullHttpRequest req, QueryStringDecoder uri, List<String> seg,
                                                List<Route> samePath) {
        if (samePath.isEmpty()) {
            return done(HttpReply.error(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + uri.path()));
        }
        Route route = samePath.stream().filter(r -> r.method().equals(req.method())).findFirst().orElse(null);
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
            return route.handler().apply(new Call(req, vars(route, seg), uri.parameters()));
        } catch (BadRequest e) {
            return done(HttpReply.error(HttpResponseStatus.BAD_REQUEST, e.getMessage(), e.details));
        }
    }

    /** The values of the route's path variables, or null if the path does not fit its template. */
    private static List<String> vars(Route route, List<String> path) {
        List<String> template = route.segments();
        if (template.size() != path.size()) {
            return null;
        }
        List<String> vars = new ArrayList<>();
        for (int i = 0; i < template.size(); i++) {
            if (template.get(i).startsWith("{")) {
                vars.add(path.get(i));
            } else if (!template.get(i).equals(path.get(i))) {
                return null;
            }
        }
        return vars;
    }

    /** Methods named in metrics; any other is counted as {@code OTHER}. */
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS");

    /**
     * The route's label, for metrics: method and template from the route table whatever is
     * requested (ids in paths become their names, unknown paths {@code unmatched}, unknown methods
     * {@code OTHER}), so that no request can add a metric.
     */
    String route(FullHttpRequest req) {
        List<String> seg = segments(new QueryStringDecoder(req.uri()).path());
        return label(req.method(), routes.stream().filter(r -> vars(r, seg) != null).toList());
    }

    private static String label(HttpMethod method, List<Route> samePath) {
        String path = samePath.isEmpty() ? "unmatched" : samePath.get(0).template();
        return (METHODS.contains(method.name()) ? method.name() : "OTHER") + " " + path;
    }

    static HttpReply health(boolean up) {
        return HttpReply.json(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                new Bodies.Health(up ? "UP" : "STARTING"));
    }

    // --- locations -----------------------------------------------------------------------------

    private CompletableFuture<HttpReply> postLocation(FullHttpRequest req) {
        Instant receivedAt = clock.instant();
        JsonNode body = JsonBody.parse(req.content().toString(StandardCharsets.UTF_8));
        if (!body.isObject()) {
            throw new BadRequest("the body must be a JSON object: {\"client\", \"location\", \"time\"}");
        }
        JsonBody.rejectUnknownFields(body, List.of("client", "location", "time"));
        String client = text(body, "client");
        String location = text(body, "location");
        String time = body.path("time").isNumber() ? body.get("time").decimalValue().toPlainString() : text(body, "time");
        Command c = LineParser.iamat(client, location, time);
        if (!(c instanceof Command.Iamat iamat)) {
            throw new BadRequest("invalid location update: " + ((Command.Invalid) c).reason());
        }
        if (!org.herd.stream.LocationRules.isNotFarAhead(iamat.timeValue(), receivedAt.toEpochMilli())) {
            throw new BadRequest("invalid location update: time is more than a day ahead of the node's clock");
        }
        return service.iamat(iamat, receivedAt).handle((loc, e) -> e != null
                ? failed(e, "the update could not be made durable in time; it may or may not be applied; retrying is safe")
                : HttpReply.json(HttpResponseStatus.OK, Bodies.LocationBody.of(loc)));
    }

    private CompletableFuture<HttpReply> getLocation(String client) {
        requireClientId(client);
        return service.location(client).thenApply(found -> found
                .map(l -> HttpReply.json(HttpResponseStatus.OK, Bodies.LocationBody.of(l)))
                .orElseGet(() -> HttpReply.error(HttpResponseStatus.NOT_FOUND, "no node has heard of client " + client)));
    }

    /** {@code GET /v1/locations?near=..&radius=..} or {@code ?bbox=..}: the clients there, nearest first. */
    private CompletableFuture<HttpReply> clients(Map<String, List<String>> query) {
        ClientsQuery q = ClientsQueryParams.parse(query);
        return service.clients(q).handle((answer, e) -> {
            if (e != null) {
                if (Busy.is(e)) {
                    return HttpReply.unavailable(Busy.message(e) + "; retry shortly", 1);
                }
                throw e instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(e);
            }
            ObjectNode out = Json.MAPPER.createObjectNode();
            var list = out.putArray("clients");
            for (ClientsQuery.Found f : answer.found()) {
                ObjectNode c = Json.MAPPER.valueToTree(Bodies.LocationBody.of(f.location()));
                if (q instanceof ClientsQuery.Near) {
                    c.put("distance", Math.round(f.distanceMetres() * 10) / 10.0);
                }
                list.add(c);
            }
            out.put("count", answer.found().size());
            out.put("complete", answer.complete());
            if (answer.scanCut()) {
                out.put("incomplete", "this query examined " + answer.limits().scanMax() + " clients (clients.query.scan.max),"
                        + " nearest cells first, and stopped: these are the nearest of those; a smaller area answers in full");
            } else if (answer.leftOut() > 0) {
                out.put("incomplete", "this node's client index is full (clients.index.max = " + answer.limits().maxClients()
                        + " clients, or clients.index.max.bytes = " + answer.limits().maxBytes()
                        + " bytes): clients first seen after it filled are left out of who-is-near answers");
            }
            return HttpReply.json(HttpResponseStatus.OK, out);
        });
    }

    private CompletableFuture<HttpReply> clientNearby(String client, Map<String, List<String>> params) {
        requireClientId(client);
        String radius = param(params, "radius", "10");
        String limit = param(params, "limit", "20");
        Command c = LineParser.whatsat(client, radius, limit);
        if (!(c instanceof Command.Whatsat whatsat)) {
            throw new BadRequest("invalid nearby query: radius is in km, greater than 0 and at most 50; "
                    + "limit is a whole number from 1 to 20");
        }
        return service.whatsat(whatsat).thenApply(found -> found.map(n -> {
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.set("location", Json.MAPPER.valueToTree(Bodies.LocationBody.of(n.location())));
            out.setAll(NearbySearchJson.response(n.places()));
            return HttpReply.json(HttpResponseStatus.OK, out);
        }).orElseGet(() -> HttpReply.error(HttpResponseStatus.NOT_FOUND, "no node has heard of client " + client)));
    }


    // --- Places API drop-in ----------------------------------------------------------------------

    /**
     * {@code GET /maps/api/place/nearbysearch/json}: as Google's legacy Nearby Search. Errors are
     * answered as Google does, HTTP 200 with {@code status: INVALID_REQUEST} and an
     * {@code error_message}, so existing Places clients handle them as they already do.
     */
    private CompletableFuture<HttpReply> nearbySearch(Map<String, List<String>> params) {
        NearbyQuery q;
        try {
            q = NearbySearchParams.parse(params);
        } catch (IllegalArgumentException e) {
            return done(HttpReply.json(HttpResponseStatus.OK, NearbySearchJson.error("INVALID_REQUEST", e.getMessage())));
        }
        return service.nearby(q).thenApply(r -> HttpReply.json(HttpResponseStatus.OK, NearbySearchJson.response(r)));
    }

    // --- places and news -----------------------------------------------------------------------

    private CompletableFuture<HttpReply> postPlaces(FullHttpRequest req) {
        List<Place> batch = PlaceInput.parseBatch(req.content().toString(StandardCharsets.UTF_8), null);
        return service.putPlaces(batch).handle((stored, e) -> e != null
                ? failed(e, "the places could not be made durable in time; some may be applied; retrying is safe")
                : HttpReply.json(HttpResponseStatus.CREATED, new Bodies.PlacesBody(
                stored.stream().map(NearbySearchJson::place).toList())));
    }

    private CompletableFuture<HttpReply> putPlace(String id, FullHttpRequest req) {
        List<Place> one = PlaceInput.parseBatch(req.content().toString(StandardCharsets.UTF_8), id);
        return service.putPlaces(one).handle((stored, e) -> e != null
                ? failed(e, "the place could not be made durable in time; retrying is safe")
                : HttpReply.json(HttpResponseStatus.OK, NearbySearchJson.place(stored.get(0))));
    }

    private CompletableFuture<HttpReply> getPlace(String id) {
        PlaceInput.requireId(id);
        return service.place(id).thenApply(found -> found
                .map(p -> HttpReply.json(HttpResponseStatus.OK, NearbySearchJson.place(p)))
                .orElseGet(() -> HttpReply.error(HttpResponseStatus.NOT_FOUND, "no place " + id)));
    }

    private CompletableFuture<HttpReply> deletePlace(String id) {
        PlaceInput.requireId(id);
        return service.deletePlace(id).handle((v, e) -> e != null
                ? failed(e, "the deletion could not be made durable in time; retrying is safe")
                : HttpReply.noContent());
    }

    // --- fences (docs/fences.md) -----------------------------------------------------------------

    /** Largest page of {@code GET /v1/fences}; the default page is {@link #FENCES_PAGE_DEFAULT}. */
    static final int FENCES_PAGE_MAX = 1000;
    static final int FENCES_PAGE_DEFAULT = 100;
    /** A page of {@code GET /v1/fences} holds fences up to this many bytes of JSON (at least one fence). */
    static final int FENCES_PAGE_MAX_BYTES = 1024 * 1024;

    private CompletableFuture<HttpReply> putFence(String id, FullHttpRequest req) {
        String text = req.content().toString(StandardCharsets.UTF_8);
        CompletableFuture<Fence> checked;
        try {
            checked = CompletableFuture.supplyAsync(() -> readFence(id, text), validation);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return done(HttpReply.unavailable("the node is validating too many fences (fences.validation.queue.max); "
                    + "retry shortly", 1));
        }
        return checked.handle((fence, e) -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            if (cause instanceof BadRequest bad) {
                return done(HttpReply.error(HttpResponseStatus.BAD_REQUEST, bad.getMessage(), bad.details));
            }
            if (cause != null) {
                return CompletableFuture.<HttpReply>failedFuture(cause);
            }
            return storeFence(fence);
        }).thenCompose(r -> r);
    }

    private Fence readFence(String id, String text) {
        JsonNode body = JsonBody.parse(text);
        if (!body.isObject()) {
            throw new BadRequest("a fence is a JSON object");
        }
        FenceParser.Result parsed = fenceParser.parse(id, (ObjectNode) body);
        if (parsed instanceof FenceParser.Invalid bad) {
            throw new BadRequest("the fence is not valid", bad.problems());
        }
        return ((FenceParser.Valid) parsed).fence();
    }

    private CompletableFuture<HttpReply> storeFence(Fence fence) {
        return service.putFence(fence).handle((stored, e) -> {
            if (e == null) {
                return HttpReply.json(HttpResponseStatus.OK, stored.toJson());
            }
            LimitReached full = LimitReached.in(e);
            return full != null ? HttpReply.error(HttpResponseStatus.CONFLICT, full.getMessage())
                    : failed(e, "the fence could not be made durable in time; retrying is safe");
        });
    }

    private CompletableFuture<HttpReply> getFence(String id) {
        requireFenceId(id);
        return service.fence(id).thenApply(found -> found
                .map(f -> HttpReply.json(HttpResponseStatus.OK, f.toJson()))
                .orElseGet(() -> HttpReply.error(HttpResponseStatus.NOT_FOUND, "no fence " + id)));
    }

    private CompletableFuture<HttpReply> deleteFence(String id) {
        requireFenceId(id);
        return service.deleteFence(id).handle((v, e) -> e != null
                ? failed(e, "the deletion could not be made durable in time; retrying is safe")
                : HttpReply.noContent());
    }

    /** {@code GET /v1/fences?after=<id>&limit=<n>}: a page in id order, and the {@code after} of the next page. */
    private CompletableFuture<HttpReply> listFences(Map<String, List<String>> query) {
        List<String> problems = new Problems();
        for (String k : query.keySet()) {
            if (!k.equals("after") && !k.equals("limit")) {
                problems.add("unknown parameter '" + k + "' (a page takes after and limit)");
            }
        }
        String after = single(query, "after", problems);
        if (after != null && !FenceParser.isValidId(after)) {
            problems.add("after must be a fence id");
        }
        String limitText = single(query, "limit", problems);
        int limit = FENCES_PAGE_DEFAULT;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > FENCES_PAGE_MAX) {
                problems.add("limit must be a whole number from 1 to " + FENCES_PAGE_MAX);
            }
        }
        if (!problems.isEmpty()) {
            throw new BadRequest("the query is not valid", problems);
        }
        int size = limit;
        return service.fences(after, size + 1).thenApply(page -> {
            // a page ends at limit fences or once it holds FENCES_PAGE_MAX_BYTES of them (at least one)
            List<ObjectNode> shown = new java.util.ArrayList<>();
            long bytes = 0;
            for (Fence f : page) {
                if (shown.size() == size) {
                    break;
                }
                ObjectNode json = f.toJson();
                long b = Json.encode(json).length;
                if (!shown.isEmpty() && bytes + b > FENCES_PAGE_MAX_BYTES) {
                    break;
                }
                shown.add(json);
                bytes += b;
            }
            String next = page.size() > shown.size() ? page.get(shown.size() - 1).id() : null;
            return HttpReply.json(HttpResponseStatus.OK, new Bodies.FencePage(shown, next));
        });
    }

    /**
     * {@code GET /v1/events} and {@code GET /v1/fences/{id}/events}: Server-Sent Events. Filters:
     * {@code fence=} (repeatable; the path's fence for the second), {@code client=}; start: the
     * {@code Last-Event-ID} header (after that event), else {@code from=earliest} (the oldest event
     * kept), else now.
     */
    private CompletableFuture<HttpReply> events(String pathFence, FullHttpRequest req, Map<String, List<String>> query) {
        List<String> problems = new Problems();
        for (String k : query.keySet()) {
            if (!k.equals("client") && !k.equals("from") && !(k.equals("fence") && pathFence == null)) {
                problems.add("unknown parameter '" + k + "' (events take " + (pathFence == null ? "fence, " : "") + "client and from)");
            }
        }
        java.util.Set<String> fences = new java.util.TreeSet<>();
        if (pathFence != null) {
            requireFenceId(pathFence);
            fences.add(pathFence);
        }
        for (String f : query.getOrDefault("fence", List.of())) {
            if (!FenceParser.isValidId(f)) {
                problems.add("fence must be a fence id, not '" + f + "'");
            }
            fences.add(f);
        }
        String client = single(query, "client", problems);
        if (client != null && !LineParser.isValidClientId(client)) {
            problems.add("client must be a client id (1 to 256 characters, no white space)");
        }
        EventSource.From start = streamStart(req, query, problems, service.events()::checkEventId);
        if (!problems.isEmpty()) {
            throw new BadRequest("the event stream request is not valid", problems);
        }
        EventSource.Filter filter = new EventSource.Filter(java.util.Set.copyOf(fences), client);
        HttpReply stream = HttpReply.eventStream(sink -> service.events().subscribe(filter, start, sink));
        if (pathFence == null) {
            return done(stream);
        }
        // a fence's own stream needs the fence (a typo would otherwise wait for events forever)
        return service.fence(pathFence).thenApply(found -> found.isPresent() ? stream
                : HttpReply.error(HttpResponseStatus.NOT_FOUND, "no fence " + pathFence));
    }

    /**
     * {@code GET /v1/locations/{client}/news?radius=<km>}: Server-Sent Events, every news item
     * posted or updated from now on (or after {@code Last-Event-ID}, or from the oldest with
     * {@code from=earliest}) within the radius of the client's newest position; 404 for a client
     * no node has heard of.
     */
    private CompletableFuture<HttpReply> clientNews(String client, FullHttpRequest req, Map<String, List<String>> query) {
        requireClientId(client);
        List<String> problems = new Problems();
        for (String k : query.keySet()) {
            if (!k.equals("radius") && !k.equals("from")) {
                problems.add("unknown parameter '" + k + "' (news takes radius and from)");
            }
        }
        String radiusText = single(query, "radius", problems);
        double km = 10;
        if (radiusText != null) {
            if (LineParser.radiusProblem(radiusText) != null) { // as WHATSAT's
                problems.add("radius must be a number of km greater than 0 and at most " + (int) Limits.MAX_RADIUS_KM);
            } else {
                km = Double.parseDouble(radiusText);
            }
        }
        EventSource.From start = streamStart(req, query, problems, service.news()::checkNewsId);
        if (!problems.isEmpty()) {
            throw new BadRequest("the news stream request is not valid", problems);
        }
        double metres = km * 1000;
        return service.location(client).thenApply(found -> found.isPresent()
                ? HttpReply.eventStream(sink -> service.news().subscribe(client, metres, start, sink))
                : HttpReply.error(HttpResponseStatus.NOT_FOUND, "no node has heard of client " + client));
    }

    /**
     * Where a stream starts: after the {@code Last-Event-ID} header's position, from the oldest
     * with {@code from=earliest}, else now; problems with either are added to {@code problems}.
     */
    private static EventSource.From streamStart(FullHttpRequest req, Map<String, List<String>> query, List<String> problems,
                                                java.util.function.Function<String, java.util.Optional<String>> checkId) {
        String from = single(query, "from", problems);
        if (from != null && !from.equals("earliest")) {
            problems.add("from must be 'earliest' (or leave it out to start now)");
        }
        String lastId = req.headers().get("Last-Event-ID");
        if (lastId != null) {
            checkId.apply(lastId).ifPresent(why -> problems.add("Last-Event-ID is " + why));
        }
        return lastId != null ? new EventSource.After(lastId) : from != null ? new EventSource.Earliest() : new EventSource.Latest();
    }

    static String single(Map<String, List<String>> query, String name, List<String> problems) {
        List<String> v = query.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() != 1) {
            problems.add(name + " must be given once");
            return null;
        }
        return v.get(0);
    }

    private static void requireFenceId(String id) {
        if (!FenceParser.isValidId(id)) {
            throw new BadRequest("fence id must be 1 to " + FenceParser.MAX_ID_CHARS
                    + " characters of letters, digits, '-', '.', '_' or '~'");
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    /** 503 with Retry-After: a write refused at once by the in-flight limit, or one that did not complete in time. */
    private static HttpReply failed(Throwable e, String notInTime) {
        return Busy.is(e)
                ? HttpReply.unavailable("too many writes in flight on this node; nothing was published; retry shortly", 1)
                : HttpReply.unavailable(notInTime, 1);
    }

    private static HttpReply methodNotAllowed() {
        return HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
    }

    static CompletableFuture<HttpReply> done(HttpReply r) {
        return CompletableFuture.completedFuture(r);
    }

    private static List<String> segments(String path) {
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty())
                .map(s -> QueryStringDecoder.decodeComponent(s, StandardCharsets.UTF_8)).toList();
    }

    private static String param(Map<String, List<String>> params, String name, String fallback) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? fallback : v.get(0);
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual()) {
            throw new BadRequest("\"" + field + "\" is required and must be a string");
        }
        return v.asText();
    }

    private static void requireClientId(String client) {
        if (!LineParser.isValidClientId(client)) {
            throw new BadRequest("invalid client id: 1 to 256 characters, no white space or control characters");
        }
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

    /** A request the API rejects with 400 and this message. */
    static final class BadRequest extends RuntimeException {
        final List<String> details;

        BadRequest(String message) {
            this(message, List.of());
        }

        BadRequest(String message, List<String> details) {
            super(message, null, false, false);
            this.details = details;
        }
    }
}
