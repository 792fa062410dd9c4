package org.herd.node.service;

/**
 * Who is near a point, or in a box: the clients whose newest positions are there, at most
 * {@code limit}, nearest the point (or the box's centre) first. Validated by the caller
 * (docs/http.md gives the limits).
 */
public sealed interface ClientsQuery {
    int limit();

    /** The clients this query finds in {@code index}, nearest first. */
    java.util.List<org.herd.stream.ClientIndex.Hit> search(org.herd.stream.ClientIndex index);

    /** Within {@code radiusMetres} of (lat, lng). */
    record Near(double lat, double lng, double radiusMetres, int limit) implements ClientsQuery {
        @Override
        public java.util.List<org.herd.stream.ClientIndex.Hit> search(org.herd.stream.ClientIndex index) {
            return index.near(lat, lng, radiusMetres, limit);
        }
    }

    /** In [south, north] x [west, east]; {@code west > east} crosses the antimeridian. */
    record Box(double south, double west, double north, double east, int limit) implements ClientsQuery {
        @Override
        public java.util.List<org.herd.stream.ClientIndex.Hit> search(org.herd.stream.ClientIndex index) {
            return index.inBox(south, west, north, east, limit);
        }
    }

    /** A client found: its newest location, and its distance in metres from the point (or the box's centre). */
    record Found(org.herd.stream.Location location, double distanceMetres) {
    }
}
