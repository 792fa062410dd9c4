package org.herd.node.http;

import org.herd.stream.model.Problems;
import org.herd.node.service.ClientsQuery;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The query of {@code GET /v1/locations} (docs/http.md): exactly one of
 * {@code near=<lat>,<lng>} with {@code radius=<km>} (more than 0, at most {@value #MAX_RADIUS_KM})
 * and {@code bbox=<south>,<west>,<north>,<east>} (south at most north; west greater than east
 * crosses the antimeridian), and {@code limit} (1 to {@value #MAX_LIMIT}, default
 * {@value #DEFAULT_LIMIT}). Every problem is reported at once.
 */
final class ClientsQueryParams {
    static final int MAX_RADIUS_KM = 500;
    static final int MAX_LIMIT = 1000;
    static final int DEFAULT_LIMIT = 100;
    private static final Pattern DECIMAL = Pattern.compile("[+-]?\\d{1,3}(\\.\\d{1,12})?");
    private static final Pattern POSITIVE = Pattern.compile("\\+?\\d{1,6}(\\.\\d{1,9})?");
    private static final Set<String> KNOWN = Set.of("near", "radius", "bbox", "limit");

    private ClientsQueryParams() {
    }

    static ClientsQuery parse(Map<String, List<String>> query) {
        List<String> problems = new Problems();
        for (String k : query.keySet()) {
            if (!KNOWN.contains(k)) {
                problems.add("unknown parameter '" + k + "' (clients are found with near and radius, or bbox; and limit)");
            }
        }
        String near = Requests.single(query, "near", problems);
        String radius = Requests.single(query, "radius", problems);
        String bbox = Requests.single(query, "bbox", problems);
        String limitText = Requests.single(query, "limit", problems);
        int limit = DEFAULT_LIMIT;
        if (limitText != null) {
            limit = limitText.matches("\\d{1,4}") ? Integer.parseInt(limitText) : -1;
            if (limit < 1 || limit > MAX_LIMIT) {
                problems.add("limit must be a whole number from 1 to " + MAX_LIMIT);
            }
        }
        ClientsQuery parsed = null;
        if ((near == null) == (bbox == null)) {
            problems.add("give exactly one of near=<lat>,<lng> (with radius=<km>) and bbox=<south>,<west>,<north>,<east>");
        } else if (near != null) {
            double[] p = degrees(near, 2, "near", problems);
            double km = -1;
            if (radius == null) {
                problems.add("radius=<km> is required with near");
            } else {
                km = POSITIVE.matcher(radius).matches() ? Double.parseDouble(radius) : -1;
                if (!(km > 0 && km <= MAX_RADIUS_KM)) {
                    problems.add("radius must be a number of km greater than 0 and at most " + MAX_RADIUS_KM);
                }
            }
            if (p != null && km > 0 && km <= MAX_RADIUS_KM) {
                parsed = new ClientsQuery.Near(p[0], p[1], km * 1000, limit);
            }
        } else {
            if (radius != null) {
                problems.add("radius goes with near, not with bbox");
            }
            double[] b = degrees(bbox, 4, "bbox", problems);
            if (b != null && b[0] > b[2]) {
                problems.add("bbox: south must not be north of north");
            } else if (b != null) {
                parsed = new ClientsQuery.InBox(b[0], b[1], b[2], b[3], limit);
            }
        }
        if (!problems.isEmpty()) {
            throw new BadRequest("the query is not valid", problems);
        }
        return parsed;
    }

    /** {@code n} comma-separated decimal degrees, latitudes and longitudes alternating and in range; null (and a problem) if not. */
    private static double[] degrees(String text, int n, String name, List<String> problems) {
        String[] parts = text.split(",", -1);
        String shape = n == 2 ? "<lat>,<lng>" : "<south>,<west>,<north>,<east>";
        if (parts.length != n) {
            problems.add(name + " must be " + shape + " in decimal degrees");
            return null;
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            String part = parts[i].trim();
            if (!DECIMAL.matcher(part).matches()) {
                problems.add(name + " must be " + shape + " in decimal degrees");
                return null;
            }
            BigDecimal v = new BigDecimal(part);
            boolean lat = i % 2 == 0;
            if (v.abs().compareTo(BigDecimal.valueOf(lat ? 90 : 180)) > 0) {
                problems.add(name + ": " + (lat ? "latitudes within ±90" : "longitudes within ±180") + ", not " + part);
                return null;
            }
            out[i] = v.doubleValue();
        }
        return out;
    }
}
