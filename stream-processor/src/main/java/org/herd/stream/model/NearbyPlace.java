package org.herd.stream.model;

/** A place found by a nearby query, with its great-circle distance from the query point. */
public record NearbyPlace(Place place, double distanceMetres) {
}
