package org.herd.node.service;

/**
 * Who is near a point, or in a box: the clients whose newest positions are there, at most
 * {@code limit}, nearest the point (or the box's centre) first. Validated by the caller
 * (docs/http.md gives the limits).
 */
public sealed interface ClientsQuery {
    /** The clients this query finds in {@code index}, nearest first. */
    org.herd.stream.geo.ClientIndex.NearClients search(org.herd.stream.geo.ClientIndex index);

    /** Within {@code radiusMetres} of (lat, lng). */
    record Near(double lat, double lng, double radiusMetres, int limit) implements ClientsQuery {
        @Override
        public org.herd.stream.geo.ClientIndex.NearClients search(org.herd.stream.geo.ClientIndex index) {
            return index.near(lat, lng, radiusMetres, limit);
        }
    }

    /** In [south, north] x [west, east]; {@code west > east} crosses the antimeridian. */
    record InBox(double south, double west, double north, double east, int limit) implements ClientsQuery {
        @Override
        public org.herd.stream.geo.ClientIndex.NearClients search(org.herd.stream.geo.ClientIndex index) {
            return index.inBox(south, west, north, east, limit);
        }
    }

    /**
     * The answer: the clients found, nearest first; {@code scanCut}: the query stopped at the
     * clients it may examine; {@code leftOut}: updates of clients the full index has left out.
     */
    record Answer(java.util.List<Found> found, boolean scanCut, long leftOut, org.herd.stream.geo.ClientIndex.ClientIndexLimits limits) {
        public boolean complete() {
            return !scanCut && leftOut == 0;
        }
    }

    /** A client found: its newest location, and its distance in metres from the point (or the box's centre). */
    record Found(org.herd.stream.model.Location location, double distanceMetres) {
    }
}
