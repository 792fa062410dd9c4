package org.herd.node.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.herd.node.protocol.NearbySearchJson;
import org.herd.node.service.ClientService;
import org.herd.stream.model.Place;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.herd.node.http.Requests.*;

/** {@code /v1/places...}: places and news items for producers (docs/http.md). */
final class PlaceResources {
    private final ClientService service;

    PlaceResources(ClientService service) {
        this.service = service;
    }

    /** This family's routes (method, path template, whether it needs the replica, handler). */
    List<Router.Route> routes() {
        return List.of(
                new Router.Route(HttpMethod.POST, "/v1/places", true, c -> postPlaces(c.request())),
                new Router.Route(HttpMethod.GET, "/v1/places/{id}", true, c -> getPlace(c.vars().get(0))),
                new Router.Route(HttpMethod.PUT, "/v1/places/{id}", true, c -> putPlace(c.vars().get(0), c.request())),
                new Router.Route(HttpMethod.DELETE, "/v1/places/{id}", true, c -> deletePlace(c.vars().get(0))));
    }

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
}
