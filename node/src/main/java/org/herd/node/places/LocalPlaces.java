package org.herd.node.places;

import org.herd.node.service.NearbyQuery;
import org.herd.node.service.PlacesSource;

import org.herd.stream.HerdQueries;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.herd.node.protocol.NearbySearchJson;

import java.util.concurrent.CompletableFuture;

/** Nearby places from the node's own index. */
final class LocalPlaces implements PlacesSource {
    @Override
    public CompletableFuture<ObjectNode> nearby(NearbyQuery q, HerdQueries local) {
        return CompletableFuture.completedFuture(NearbySearchJson.response(
                local.nearby(q.lat(), q.lng(), q.radiusMetres(), q.limit(), q.rank(), q.filter())));
    }
}
