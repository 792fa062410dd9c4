package org.herd.node.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.herd.node.protocol.LineLimits;
import org.herd.node.protocol.LineParser;
import org.herd.node.service.ClientService;
import org.herd.node.service.EventSource;
import org.herd.stream.fence.FenceParser;
import org.herd.stream.model.Problems;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.herd.node.http.Requests.*;

/** The Server-Sent Events streams: fence events and a client's news (docs/http.md, docs/fences.md). */
final class StreamResources {
    private final ClientService service;

    StreamResources(ClientService service) {
        this.service = service;
    }

    /** This family's routes (method, path template, whether it needs the replica, handler). */
    List<Router.Route> routes() {
        return List.of(
                new Router.Route(HttpMethod.GET, "/v1/locations/{client}/news", true, c -> clientNews(c.vars().get(0), c.request(), c.query())),
                new Router.Route(HttpMethod.GET, "/v1/events", true, c -> events(null, c.request(), c.query())),
                new Router.Route(HttpMethod.GET, "/v1/fences/{id}/events", true, c -> events(c.vars().get(0), c.request(), c.query())));
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
                problems.add("radius must be a number of km greater than 0 and at most " + (int) LineLimits.MAX_RADIUS_KM);
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
}
