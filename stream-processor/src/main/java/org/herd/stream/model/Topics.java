package org.herd.stream.model;

/** Names of the herd's topics and stores, shared by the topology, the nodes and the tests. */
public final class Topics {
    /** IAMAT updates, keyed by client id; kept forever by default so any node can be rebuilt. */
    public static final String LOCATIONS = "herd.locations";
    /** Places and news items keyed by place id; a null value deletes. Compacted. */
    public static final String PLACES = "herd.places";
    /** Geofences keyed by fence id; a null value deletes. Compacted. */
    public static final String FENCES = "herd.fences";
    /** Fence events derived exactly once from the locations, keyed by client id. */
    public static final String EVENTS = "herd.events";

    public static final String LOCATION_STORE = "location-store";
    public static final String PLACE_STORE = "place-store";
    public static final String FENCE_STORE = "fence-store";

    /**
     * Key of the record that marked a complete load of a bundled data set in the places topic
     * itself, before such loads were recorded in their own topic ({@code topics.seeds}). Herds
     * seeded then still hold it; nodes skip it (not a place, not counted as skipped).
     */
    public static String legacySeedMarkerKey(String dataset) {
        return " seeded " + dataset;
    }

    private Topics() {
    }

    /** Whether {@code key} is a legacy seed marker of the places topic (see {@link #legacySeedMarkerKey}). */
    public static boolean isLegacySeedMarker(String key) {
        return key.startsWith(" seeded ");
    }
}
