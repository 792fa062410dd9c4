package org.herd.stream.fence;


import org.herd.stream.model.Problems;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.herd.stream.model.Json;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.operation.valid.IsValidOp;
import org.locationtech.jts.operation.valid.TopologyValidationError;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads and validates a fence whole: every problem is listed, not just the first (the HTTP API
 * answers them all in one 400). The same rules apply to the body of {@code PUT /v1/fences/{id}}
 * and to a record of the fences topic (a producer may write there directly; a record that breaks
 * them is skipped by every node).
 */
public final class FenceParser {
    /** Longest fence id, in characters: ids are URL path segments of letters, digits and {@code -._~}. */
    public static final int MAX_ID_CHARS = 128;
    /** Largest circle radius, in metres (as a Places Nearby Search radius). */
    public static final double MAX_RADIUS_METRES = 50_000;
    /** Largest {@code meta} object, in bytes of its JSON. */
    public static final int MAX_META_BYTES = 4096;
    /** Longest {@code match} glob, in characters (a client id is at most 256). */
    public static final int MAX_MATCH_CHARS = 256;

    private static final Set<String> FIELDS = Set.of("id", "circle", "polygon", "detect", "match", "meta");
    private static final Set<String> CIRCLE_FIELDS = Set.of("lat", "lng", "radius");
    private static final Set<String> GEOMETRY_FIELDS = Set.of("type", "coordinates", "bbox");
    private static final GeometryFactory FACTORY = new GeometryFactory();

    /**
     * The most positions a polygon may have, over all its rings. The same at every node, so that
     * every node and the derivation agree on which fences are valid: not a per-node setting.
     */
    public static final int MAX_VERTICES = 10_000;

    private final int maxVertices;

    public FenceParser() {
        this(MAX_VERTICES);
    }

    /** For tests: a smaller vertex limit. */
    FenceParser(int maxVertices) {
        this.maxVertices = maxVertices;
    }

    /** A valid fence, or the list of everything wrong with the input. */
    public sealed interface Parsed permits Valid, Rejected {
    }

    public record Valid(Fence fence) implements Parsed {
    }

    public record Rejected(List<String> problems) implements Parsed {
    }

    public static boolean isValidId(String id) {
        return id != null && !id.isEmpty() && id.length() <= MAX_ID_CHARS && id.chars().allMatch(c ->
                c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~');
    }

    /** Reads a fence record's value (its id inside must equal the key). */
    public Parsed parseRecord(String key, byte[] value) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(value);
        } catch (java.io.IOException | RuntimeException e) {
            return new Rejected(List.of("not JSON"));
        }
        if (body == null || !body.isObject()) {
            return new Rejected(List.of("a fence is a JSON object"));
        }
        List<String> problems = new Problems();
        if (!key.equals(body.path("id").asText(null))) {
            problems.add("id must equal the record's key");
        }
        Parsed r = parse(key, (ObjectNode) body);
        if (r instanceof Rejected i) {
            problems.addAll(i.problems());
        }
        return problems.isEmpty() ? r : new Rejected(problems);
    }

    /**
     * Validates a fence body for {@code id}. An {@code id} field in the body, if present, must
     * equal the path's.
     */
    public Parsed parse(String id, ObjectNode body) {
        List<String> problems = new Problems();
        if (!isValidId(id)) {
            problems.add("fence id must be 1 to " + MAX_ID_CHARS + " characters of letters, digits, '-', '.', '_' or '~'");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                problems.add("unknown field '" + f + "' (a fence has circle or polygon, detect, match, meta)");
            }
        }
        if (body.has("id") && !body.get("id").asText("").equals(id)) {
            problems.add("id in the body must equal the id in the path");
        }
        Fence.Shape shape = null;
        boolean circle = body.has("circle");
        boolean polygon = body.has("polygon");
        if (circle == polygon) {
            problems.add("a fence has exactly one of 'circle' and 'polygon'");
        } else if (circle) {
            shape = circle(body.get("circle"), problems);
        } else {
            shape = polygon(body.get("polygon"), problems);
        }
        Set<Fence.Detect> detect = detect(body.get("detect"), problems);
        String match = "*";
        JsonNode m = body.get("match");
        if (m != null && !m.isNull()) {
            if (!m.isTextual() || m.asText().isEmpty() || m.asText().codePointCount(0, m.asText().length()) > MAX_MATCH_CHARS) {
                problems.add("match must be a glob of 1 to " + MAX_MATCH_CHARS + " characters ('*' any run, '?' one character)");
            } else {
                match = m.asText();
            }
        }
        ObjectNode meta = null;
        JsonNode me = body.get("meta");
        if (me != null && !me.isNull()) {
            if (!me.isObject()) {
                problems.add("meta must be a JSON object");
            } else if (Json.encode(me).length > MAX_META_BYTES) {
                problems.add("meta must be at most " + MAX_META_BYTES + " bytes of JSON");
            } else {
                meta = (ObjectNode) me;
            }
        }
        if (!problems.isEmpty()) {
            return new Rejected(problems);
        }
        return new Valid(new Fence(id, shape, detect, match, meta));
    }

    private static Set<Fence.Detect> detect(JsonNode d, List<String> problems) {
        if (d == null || d.isNull()) {
            return Fence.DEFAULT_DETECT;
        }
        String rule = "detect must be a non-empty array of \"enter\", \"exit\" and \"inside\"";
        if (!d.isArray() || d.isEmpty()) {
            problems.add(rule);
            return Fence.DEFAULT_DETECT;
        }
        EnumSet<Fence.Detect> set = EnumSet.noneOf(Fence.Detect.class);
        for (JsonNode x : d) {
            Fence.Detect k = x.isTextual() ? Fence.Detect.ofWire(x.asText()) : null;
            if (k == null) {
                problems.add(rule + ", not " + x);
            } else {
                set.add(k);
            }
        }
        return set.isEmpty() ? Fence.DEFAULT_DETECT : set;
    }

    private static Fence.Circle circle(JsonNode c, List<String> problems) {
        if (!c.isObject()) {
            problems.add("circle must be an object {\"lat\": .., \"lng\": .., \"radius\": <metres>}");
            return null;
        }
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!CIRCLE_FIELDS.contains(f)) {
                problems.add("unknown field 'circle." + f + "' (a circle has lat, lng, radius)");
            }
        }
        long before = Problems.count(problems);
        double lat = number(c.get("lat"), "circle.lat", -90, 90, problems);
        double lng = number(c.get("lng"), "circle.lng", -180, 180, problems);
        JsonNode r = c.get("radius");
        double radius = Double.NaN;
        if (r == null || !r.isNumber() || !(r.asDouble() > 0) || r.asDouble() > MAX_RADIUS_METRES) {
            problems.add("circle.radius must be a number of metres > 0 and at most " + (int) MAX_RADIUS_METRES);
        } else {
            radius = r.asDouble();
        }
        return Problems.count(problems) == before ? new Fence.Circle(lat, lng, radius) : null;
    }

    private static double number(JsonNode n, String name, double min, double max, List<String> problems) {
        if (n == null || !n.isNumber() || !(n.asDouble() >= min && n.asDouble() <= max)) {
            problems.add(name + " must be a number from " + (int) min + " to " + (int) max);
            return Double.NaN;
        }
        return n.asDouble();
    }

    private Fence.Polygon polygon(JsonNode g, List<String> problems) {
        if (!g.isObject()) {
            problems.add("polygon must be a GeoJSON Polygon or MultiPolygon geometry object");
            return null;
        }
        for (Iterator<String> it = g.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!GEOMETRY_FIELDS.contains(f)) {
                problems.add("unknown field 'polygon." + f + "' (a geometry has type and coordinates)");
            }
        }
        JsonNode bbox = g.get("bbox");
        if (bbox != null && !(bbox.isArray() && (bbox.size() == 4 || bbox.size() == 6) && allNumbers(bbox))) {
            problems.add("polygon.bbox, if given, must be an array of 4 numbers [west, south, east, north] (or 6, with heights)");
        }
        String type = g.path("type").asText("");
        JsonNode coords = g.get("coordinates");
        long before = Problems.count(problems);
        int[] vertices = {0};
        Geometry geometry = null;
        if (type.equals("Polygon")) {
            org.locationtech.jts.geom.Polygon p = polygonOf(coords, "polygon.coordinates", problems, vertices);
            geometry = p;
        } else if (type.equals("MultiPolygon")) {
            if (coords == null || !coords.isArray() || coords.isEmpty()) {
                problems.add("polygon.coordinates of a MultiPolygon must be a non-empty array of polygons");
            } else {
                List<org.locationtech.jts.geom.Polygon> parts = new ArrayList<>();
                for (int i = 0; i < coords.size(); i++) {
                    org.locationtech.jts.geom.Polygon p = polygonOf(coords.get(i), "polygon.coordinates[" + i + "]", problems, vertices);
                    if (p != null) {
                        parts.add(p);
                    }
                }
                geometry = FACTORY.createMultiPolygon(parts.toArray(org.locationtech.jts.geom.Polygon[]::new));
            }
        } else {
            problems.add("polygon.type must be \"Polygon\" or \"MultiPolygon\"");
        }
        if (vertices[0] > maxVertices) {
            problems.add("polygon has " + vertices[0] + " positions; at most " + maxVertices + " are allowed");
        }
        if (Problems.count(problems) != before || geometry == null) {
            return null;
        }
        TopologyValidationError error = new IsValidOp(geometry).getValidationError();
        if (error != null) {
            Coordinate at = error.getCoordinate();
            problems.add("polygon is not valid: " + error.getMessage()
                    + (at == null ? "" : " at or near [" + at.x + ", " + at.y + "]"));
            return null;
        }
        return new Fence.Polygon(new String(Json.encode(g), java.nio.charset.StandardCharsets.UTF_8), new PolygonGeometry(geometry));
    }

    private static boolean allNumbers(JsonNode array) {
        for (JsonNode n : array) {
            if (!n.isNumber()) {
                return false;
            }
        }
        return true;
    }

    /** One GeoJSON polygon: a shell and holes, each a closed ring of at least four positions. */
    private org.locationtech.jts.geom.Polygon polygonOf(JsonNode rings, String name, List<String> problems, int[] vertices) {
        if (rings == null || !rings.isArray() || rings.isEmpty()) {
            problems.add(name + " must be a non-empty array of linear rings (the shell, then any holes)");
            return null;
        }
        List<LinearRing> made = new ArrayList<>();
        for (int r = 0; r < rings.size(); r++) {
            JsonNode ring = rings.get(r);
            String rn = name + "[" + r + "]";
            if (!ring.isArray() || ring.size() < 4) {
                problems.add(rn + " must be an array of at least 4 positions [lng, lat], the last equal to the first");
                continue;
            }
            vertices[0] += ring.size();
            if (vertices[0] > maxVertices) {
                return null; // reported once by the caller; do not build a huge geometry
            }
            Coordinate[] cs = new Coordinate[ring.size()];
            boolean ok = true;
            for (int i = 0; i < ring.size(); i++) {
                JsonNode pos = ring.get(i);
                if (!pos.isArray() || pos.size() < 2 || pos.size() > 3 || !allNumbers(pos)
                        || !(Math.abs(pos.get(0).asDouble()) <= 180) || !(Math.abs(pos.get(1).asDouble()) <= 90)) {
                    problems.add(rn + "[" + i + "] must be a position [lng, lat] (or [lng, lat, height]) of numbers, "
                            + "lng from -180 to 180 and lat from -90 to 90");
                    ok = false;
                    break;
                }
                cs[i] = new Coordinate(pos.get(0).asDouble(), pos.get(1).asDouble());
            }
            if (!ok) {
                continue;
            }
            if (!cs[0].equals2D(cs[cs.length - 1])) {
                problems.add(rn + " is not closed: its last position must equal its first");
                continue;
            }
            made.add(FACTORY.createLinearRing(cs));
        }
        if (made.size() != rings.size()) {
            return null;
        }
        return FACTORY.createPolygon(made.get(0), made.subList(1, made.size()).toArray(LinearRing[]::new));
    }
}
