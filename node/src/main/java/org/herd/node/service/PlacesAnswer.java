package org.herd.node.service;

import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.model.Place;

import java.util.List;

/**
 * The places near a point, as a places source found them; the front doors write any of them as a
 * Nearby Search response (protocol's {@code NearbySearchJson}), for WHATSAT and HTTP alike.
 */
public sealed interface PlacesAnswer {
    /** From the node's own index (GeoNames and posted places), ranked as asked. */
    record Local(List<Place> places) implements PlacesAnswer {
    }

    /**
     * From an upstream Places service, its results passed on as it gave them (their fields are
     * its own: ratings, photos...), with its attributions.
     */
    record Upstream(List<JsonNode> results, List<JsonNode> attributions) implements PlacesAnswer {
    }

    /** No places could be had: a Nearby Search status such as {@code UNKNOWN_ERROR}, and why. */
    record Failed(String status, String message) implements PlacesAnswer {
    }
}
