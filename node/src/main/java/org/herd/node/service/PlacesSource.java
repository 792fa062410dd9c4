package org.herd.node.service;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.herd.stream.HerdQueries;

import java.util.concurrent.CompletableFuture;

/**
 * Where nearby places come from: the node's own index (fed by the places topic), or the Google
 * Places API when the operator configures a key. Answers are Nearby Search responses.
 */
public interface PlacesSource {
    /**
     * A Nearby Search response: {@code html_attributions}, {@code results}, {@code status};
     * {@code local} is the replica's own data, for sources that answer from it.
     */
    CompletableFuture<ObjectNode> nearby(NearbyQuery query, HerdQueries local);
}
