package org.herd.node.service;


import org.herd.stream.topology.HerdQueries;

import java.util.concurrent.CompletableFuture;

/**
 * Where nearby places come from: the node's own index (fed by the places topic), or the Google
 * Places API when the operator configures a key.
 */
public interface PlacesSource {
    /** The places {@code query} asks for; {@code local} is the replica's own data, for sources that answer from it. */
    CompletableFuture<PlacesAnswer> nearby(NearbyQuery query, HerdQueries local);
}
