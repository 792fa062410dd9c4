package org.herd.node.service;

import org.herd.stream.model.Place;
import org.herd.stream.geo.PlacesIndex;

import java.util.Locale;
import java.util.function.Predicate;

/**
 * A nearby search, from WHATSAT or HTTP: a point, a radius in metres, at most {@code limit}
 * results, a ranking, and the Places API's optional {@code type} and {@code keyword} filters.
 */
public record NearbyQuery(double lat, double lng, double radiusMetres, int limit, PlacesIndex.Rank rank,
                          String type, String keyword) {

    public static NearbyQuery of(double lat, double lng, double radiusMetres, int limit) {
        return new NearbyQuery(lat, lng, radiusMetres, limit, PlacesIndex.Rank.PROMINENCE, null, null);
    }

    /** {@code type}: the place has that type; {@code keyword}: name or vicinity contains it, ignoring case. */
    public Predicate<Place> filter() {
        String kw = keyword == null ? null : keyword.toLowerCase(Locale.ROOT);
        return p -> (type == null || p.types().contains(type))
                && (kw == null || p.name().toLowerCase(Locale.ROOT).contains(kw)
                || (p.vicinity() != null && p.vicinity().toLowerCase(Locale.ROOT).contains(kw)));
    }
}
