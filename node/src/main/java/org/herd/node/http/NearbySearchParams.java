package org.herd.node.http;

import org.herd.node.service.NearbyQuery;

import org.herd.stream.geo.PlacesIndex;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query parameters of the Places API (legacy) Nearby Search, validated as Google does:
 * {@code location=lat,lng} (required), {@code radius} in metres (required, at most 50000, unless
 * {@code rankby=distance}, which forbids it and needs {@code keyword}, {@code name} or {@code type}),
 * {@code type}, {@code keyword}, {@code name}, {@code rankby}. {@code key} and {@code language} are
 * accepted and ignored; at most 20 results are returned and there is no next page.
 */
final class NearbySearchParams {
    static final int MAX_RADIUS_METRES = 50_000;
    static final int PAGE_SIZE = 20;
    private static final Pattern LOCATION = Pattern.compile("\\s*([+-]?\\d{1,3}(?:\\.\\d+)?)\\s*,\\s*([+-]?\\d{1,3}(?:\\.\\d+)?)\\s*");
    private static final Pattern NUMBER = Pattern.compile("\\+?\\d{1,9}(?:\\.\\d+)?");

    private NearbySearchParams() {
    }

    static NearbyQuery parse(Map<String, List<String>> params) {
        String location = one(params, "location");
        if (location == null) {
            throw new IllegalArgumentException("location is required: location=lat,lng");
        }
        Matcher m = LOCATION.matcher(location);
        if (!m.matches()) {
            throw new IllegalArgumentException("location must be lat,lng in decimal degrees");
        }
        java.math.BigDecimal exactLat = new java.math.BigDecimal(m.group(1));
        java.math.BigDecimal exactLng = new java.math.BigDecimal(m.group(2));
        double lat = exactLat.doubleValue();
        double lng = exactLng.doubleValue();
        if (exactLat.abs().compareTo(java.math.BigDecimal.valueOf(90)) > 0
                || exactLng.abs().compareTo(java.math.BigDecimal.valueOf(180)) > 0) {
            throw new IllegalArgumentException("location out of range: latitude within ±90, longitude within ±180");
        }
        String rankby = one(params, "rankby");
        PlacesIndex.Rank rank = rankby == null ? PlacesIndex.Rank.PROMINENCE : rank(rankby);
        String type = one(params, "type");
        String keyword = one(params, "keyword");
        if (keyword == null) {
            keyword = one(params, "name");
        }
        String radiusText = one(params, "radius");
        double radius;
        if (rank == PlacesIndex.Rank.DISTANCE) {
            if (radiusText != null) {
                throw new IllegalArgumentException("radius must not be given with rankby=distance");
            }
            if (type == null && keyword == null) {
                throw new IllegalArgumentException("rankby=distance needs keyword, name or type");
            }
            radius = MAX_RADIUS_METRES;
        } else {
            if (radiusText == null) {
                throw new IllegalArgumentException("radius is required (metres, at most 50000)");
            }
            if (!NUMBER.matcher(radiusText).matches()) {
                throw new IllegalArgumentException("radius must be a number of metres");
            }
            java.math.BigDecimal exact = new java.math.BigDecimal(radiusText);
            radius = exact.doubleValue();
            if (exact.signum() <= 0 || exact.compareTo(java.math.BigDecimal.valueOf(MAX_RADIUS_METRES)) > 0) {
                throw new IllegalArgumentException("radius must be greater than 0 and at most 50000 metres");
            }
        }
        return new NearbyQuery(lat, lng, radius, PAGE_SIZE, rank, blankToNull(type), blankToNull(keyword));
    }

    private static PlacesIndex.Rank rank(String s) {
        return switch (s) {
            case "prominence" -> PlacesIndex.Rank.PROMINENCE;
            case "distance" -> PlacesIndex.Rank.DISTANCE;
            default -> throw new IllegalArgumentException("rankby must be prominence or distance");
        };
    }

    private static String one(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
