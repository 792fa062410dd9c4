package org.herd.stream.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A place or a news item with a location, as it flows through the places topic.
 *
 * @param id         stable id, unique in the herd ({@code gn:<geonameid>} for GeoNames places)
 * @param name       display name
 * @param lat        latitude in degrees
 * @param lng        longitude in degrees
 * @param vicinity   a short address-like description
 * @param types      Places API types, e.g. {@code locality}, {@code political}, {@code news}
 * @param prominence ranking weight, higher first (population for GeoNames places)
 * @param url        optional link (news items)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Place(String id, String name, double lat, double lng, String vicinity,
                    List<String> types, long prominence, String url) {

    public Place {
        // a handful of type names recur across every place: share one copy of each
        types = types == null ? List.of() : types.stream().map(String::intern).toList();
    }
}
