package org.herd.stream.fence;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;

/**
 * A validated polygonal area in longitude (x) and latitude (y), prepared for fast point tests
 * (JTS's {@link PreparedGeometry}: an index over its edges, so a test costs about log n in its
 * vertices).
 */
public final class PolygonGeometry {
    private static final GeometryFactory FACTORY = new GeometryFactory();

    private final PreparedGeometry prepared;
    private final Fence.Bounds box;
    private final int positions;

    PolygonGeometry(Geometry geometry) {
        this.prepared = PreparedGeometryFactory.prepare(geometry);
        this.positions = geometry.getNumPoints();
        Envelope e = geometry.getEnvelopeInternal();
        this.box = new Fence.Bounds(e.getMinY(), e.getMinX(), e.getMaxY(), e.getMaxX());
    }

    /** Inside or on the boundary. */
    boolean covers(double lat, double lng) {
        if (lat < box.south() || lat > box.north() || lng < box.west() || lng > box.east()) {
            return false;
        }
        return prepared.covers(FACTORY.createPoint(new Coordinate(lng, lat)));
    }

    /** Positions over all rings. */
    int positions() {
        return positions;
    }

    Fence.Bounds box() {
        return box;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolygonGeometry g && g.prepared.getGeometry().equalsExact(prepared.getGeometry());
    }

    @Override
    public int hashCode() {
        return prepared.getGeometry().getEnvelopeInternal().hashCode();
    }
}
