package org.herd.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.herd.node.protocol.NearbySearchJson;

import java.util.concurrent.CompletableFuture;

/** Nearby places from the node's own index. */
final class LocalPlaces implements PlacesSource {
    @Override
    public CompletableFuture<ObjectNode> nearby(NearbyQuery q, Replica replica) {
        return CompletableFuture.completedFuture(NearbySearchJson.response(
                replica.queries.nearby(q.lat(), q.lng(), q.radiusMetres(), q.limit(), q.rank(), q.filter())));
    }
}
