package org.herd.stream.fence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import org.herd.stream.model.Json;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A geofence as users define it (docs/fences.md): an id, a shape (a circle, or a GeoJSON Polygon
 * or MultiPolygon), the events it detects, a glob over the client ids it watches, and metadata
 * returned in every event. Its JSON form is the value of its record in the fences topic and the
 * body of its HTTP answers.
 *
 * <p>Build one with {@link FenceParser}, which validates it whole; a value of this type is valid.
 */
public record Fence(String id, Shape shape, Set<Detect> detect, String match, ObjectNode meta) {

    /** What a fence reports about a client's newest position. */
    public enum Detect {
        /** Outside before (or no position before), inside now. */
        ENTER,
        /** Inside before, outside now. */
        EXIT,
        /** Inside now (with every update inside, including the one that entered). */
        INSIDE;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Detect ofWire(String s) {
            for (Detect d : values()) {
                if (d.wire().equals(s)) {
                    return d;
                }
            }
            return null;
        }
    }

    public static final Set<Detect> DEFAULT_DETECT = Set.copyOf(EnumSet.of(Detect.ENTER, Detect.EXIT));

    public Fence {
        detect = Set.copyOf(EnumSet.copyOf(detect));
    }

    /** Whether this fence watches {@code client} ({@code match}: {@code *} any run, {@code ?} one character). */
    public boolean matches(String client) {
        return Glob.of(match).matches(client);
    }

    /** The fence's JSON: the value of its record and the body of its answers. */
    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", id);
        shape.writeTo(o);
        var d = o.putArray("detect");
        for (Detect x : Detect.values()) {
            if (detect.contains(x)) {
                d.add(x.wire());
            }
        }
        o.put("match", match);
        if (meta != null) {
            o.set("meta", meta);
        } else {
            o.putNull("meta");
        }
        return o;
    }

    public byte[] encode() {
        return Json.encode(toJson());
    }

    /** A fence's area. */
    public sealed interface Shape permits Circle, Polygon {
        /** Whether the point is inside (a point on the boundary is inside). */
        boolean contains(double lat, double lng);

        /** Boxes covering the shape, in degrees (two where a circle crosses the antimeridian). */
        List<Bounds> boxes();

        void writeTo(ObjectNode fence);
    }

    /** A box in degrees: {@code west <= east} always (boxes never cross the antimeridian). */
    public record Bounds(double south, double west, double north, double east) {
    }

    /** A circle: a centre and a radius in metres along the earth's surface. */
    public record Circle(double lat, double lng, double radiusMetres) implements Shape {
        @Override
        public boolean contains(double lat, double lng) {
            return org.herd.stream.geo.Geo.distanceMetres(this.lat, this.lng, lat, lng) <= radiusMetres;
        }

        @Override
        public List<Bounds> boxes() {
            double dLat = Math.toDegrees(radiusMetres / org.herd.stream.geo.Geo.EARTH_RADIUS_METRES);
            double south = lat - dLat;
            double north = lat + dLat;
            if (south <= -90 || north >= 90) { // contains a pole: every longitude
                return List.of(new Bounds(Math.max(-90, south), -180, Math.min(90, north), 180));
            }
            // the widest longitude span of a spherical cap: asin(sin(d) / cos(lat)), d the angular radius
            double d = radiusMetres / org.herd.stream.geo.Geo.EARTH_RADIUS_METRES;
            double ratio = Math.sin(d) / Math.cos(Math.toRadians(lat));
            double dLng = ratio >= 1 ? 180 : Math.toDegrees(Math.asin(ratio)) * 1.000001 + 1e-9;
            double west = lng - dLng;
            double east = lng + dLng;
            if (dLng >= 180) {
                return List.of(new Bounds(south, -180, north, 180));
            }
            if (west < -180) {
                return List.of(new Bounds(south, west + 360, north, 180), new Bounds(south, -180, north, east));
            }
            if (east > 180) {
                return List.of(new Bounds(south, west, north, 180), new Bounds(south, -180, north, east - 360));
            }
            return List.of(new Bounds(south, west, north, east));
        }

        @Override
        public void writeTo(ObjectNode fence) {
            ObjectNode c = fence.putObject("circle");
            c.put("lat", lat);
            c.put("lng", lng);
            c.put("radius", radiusMetres);
        }
    }

    /**
     * A GeoJSON Polygon or MultiPolygon, in longitude and latitude as drawn on a plate carrée map
     * (RFC 7946: a shape crossing the antimeridian is given as a MultiPolygon split there).
     * {@code geoJson}: the geometry object as compact JSON.
     */
    public record Polygon(String geoJson, PolygonGeometry geometry) implements Shape {
        @Override
        public boolean contains(double lat, double lng) {
            return geometry.covers(lat, lng);
        }

        @Override
        public List<Bounds> boxes() {
            return List.of(geometry.box());
        }

        /**
         * Written as it was given (compact JSON): kept as text, not as a JSON tree, which cost
         * about 120 bytes of heap per position.
         */
        @Override
        public void writeTo(ObjectNode fence) {
            fence.putRawValue("polygon", new RawValue(geoJson));
        }
    }
}
