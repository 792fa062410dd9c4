package org.herd.node.places;

import org.herd.node.service.NearbyQuery;
import org.herd.node.service.PlacesSource;

import org.herd.stream.topology.HerdQueries;

import org.herd.node.service.PlacesAnswer;
import org.herd.stream.model.NearbyPlace;

import java.util.concurrent.CompletableFuture;

/** Nearby places from the node's own index. */
final class LocalPlaces implements PlacesSource {
    @Override
    public CompletableFuture<PlacesAnswer> nearby(NearbyQuery q, HerdQueries local) {
        return CompletableFuture.completedFuture(new PlacesAnswer.Local(local.nearby(q.lat(), q.lng(),
                q.radiusMetres(), q.limit(), q.rank(), q.filter()).stream().map(NearbyPlace::place).toList()));
    }
}
