package org.herd.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.herd.node.protocol.Command;
import org.herd.node.protocol.LineParser;
import org.herd.node.protocol.NearbySearchJson;
import org.herd.node.service.Busy;
import org.herd.node.service.ClientService;
import org.herd.node.service.ClientsQuery;
import org.herd.node.service.NearbyQuery;
import org.herd.stream.model.Json;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.herd.node.http.Requests.*;

/** {@code /v1/locations...} and the Places Nearby Search drop-in: the line protocol's IAMAT and WHATSAT over HTTP, and who is near. */
final class LocationResources {
    private final ClientService service;
    private final Clock clock;

    LocationResources(ClientService service, Clock clock) {
        this.service = service;
        this.clock = clock;
    }

    /** This family's routes (method, path template, whether it needs the replica, handler). */
    List<Router.Route> routes() {
        return List.of(
                new Router.Route(HttpMethod.GET, PublicApi.NEARBY_SEARCH_PATH, true, c -> nearbySearch(c.query())),
                new Router.Route(HttpMethod.POST, "/v1/locations", true, c -> postLocation(c.request())),
                new Router.Route(HttpMethod.GET, "/v1/locations", true, c -> clients(c.query())),
                new Router.Route(HttpMethod.GET, "/v1/locations/{client}", true, c -> getLocation(c.vars().get(0))),
                new Router.Route(HttpMethod.GET, "/v1/locations/{client}/nearby", true, c -> clientNearby(c.vars().get(0), c.query())));
    }

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
            throw new BadRequest("invalid location update: " + ((Command.Unparsable) c).reason());
        }
        if (!org.herd.stream.model.LocationRules.isNotFarAhead(iamat.timeValue(), receivedAt.toEpochMilli())) {
            throw new BadRequest("invalid location update: time is more than a day ahead of the node's clock");
        }
        return service.iamat(iamat.receivedAt(receivedAt)).handle((loc, e) -> e != null
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
        return service.whatsat(whatsat.query()).thenApply(found -> found.map(n -> {
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.set("location", Json.MAPPER.valueToTree(Bodies.LocationBody.of(n.location())));
            out.setAll(NearbySearchJson.response(n.places()));
            return HttpReply.json(HttpResponseStatus.OK, out);
        }).orElseGet(() -> HttpReply.error(HttpResponseStatus.NOT_FOUND, "no node has heard of client " + client)));
    }

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
}
