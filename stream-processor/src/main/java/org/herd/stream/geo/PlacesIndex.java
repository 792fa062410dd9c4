package org.herd.stream.geo;

import org.herd.stream.model.NearbyPlace;
import org.herd.stream.model.Place;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory spatial index of places for radius queries up to a few hundred kilometres.
 *
 * <p>A fixed grid of {@value #CELL_DEGREES}-degree cells; each cell holds an immutable array that
 * is replaced on change, so queries run lock-free while the single writer (the places processor)
 * updates the index.
 */
public final class PlacesIndex {
    static final double CELL_DEGREES = 0.25;
    private static final int LAT_CELLS = (int) (180 / CELL_DEGREES);
    private static final int LNG_CELLS = (int) (360 / CELL_DEGREES);
    private static final double METRES_PER_DEGREE = Math.PI * Geo.EARTH_RADIUS_METRES / 180;
    private static final Place[] EMPTY = new Place[0];

    /** How results are ordered, as in the Places API's {@code rankby}. */
    public enum Rank {
        /** Most prominent first (population for GeoNames places), then nearest, then by id. */
        PROMINENCE,
        /** Nearest first, then by id. */
        DISTANCE
    }

    private final Map<Long, Place[]> cells = new ConcurrentHashMap<>();
    private final Map<String, Place> byId = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean loaded = new java.util.concurrent.atomic.AtomicBoolean();

    /** True the first time it is called: the caller should then fill the index from the store. */
    public boolean markLoaded() {
        return loaded.compareAndSet(false, true);
    }

    public int size() {
        return byId.size();
    }

    public Place get(String id) {
        return byId.get(id);
    }

    /** Adds or replaces the place with {@code place.id()}. */
    public synchronized void upsert(Place place) {
        Place old = byId.put(place.id(), place);
        if (old != null) {
            removeFromCell(old);
        }
        cells.merge(cellOf(place.lat(), place.lng()), new Place[] {place}, (a, b) -> {
            Place[] grown = Arrays.copyOf(a, a.length + 1);
            grown[a.length] = place;
            return grown;
        });
    }

    /** Removes the place with this id, if any. */
    public synchronized void delete(String id) {
        Place old = byId.remove(id);
        if (old != null) {
            removeFromCell(old);
        }
    }

    private void removeFromCell(Place old) {
        cells.computeIfPresent(cellOf(old.lat(), old.lng()), (k, arr) -> {
            Place[] kept = Arrays.stream(arr).filter(p -> !p.id().equals(old.id())).toArray(Place[]::new);
            return kept.length == 0 ? null : kept;
        });
    }

    /**
     * Places within {@code radiusMetres} (great-circle) of the point, ordered by {@code rank},
     * at most {@code limit} of them.
     */
    public List<NearbyPlace> nearby(double lat, double lng, double radiusMetres, int limit, Rank rank) {
        return nearby(lat, lng, radiusMetres, limit, rank, p -> true);
    }

    /** As {@link #nearby(double, double, double, int, Rank)}, keeping only places that pass {@code filter}. */
    public List<NearbyPlace> nearby(double lat, double lng, double radiusMetres, int limit, Rank rank,
                                    java.util.function.Predicate<Place> filter) {
        List<NearbyPlace> found = new ArrayList<>();
        for (long cell : cellsNear(lat, lng, radiusMetres)) {
            for (Place p : cells.getOrDefault(cell, EMPTY)) {
                double d = Geo.distanceMetres(lat, lng, p.lat(), p.lng());
                if (d <= radiusMetres && filter.test(p)) {
                    found.add(new NearbyPlace(p, d));
                }
            }
        }
        Comparator<NearbyPlace> byDistance = Comparator.comparingDouble(NearbyPlace::distanceMetres);
        Comparator<NearbyPlace> order = rank == Rank.DISTANCE ? byDistance
                : Comparator.comparingLong((NearbyPlace n) -> -n.place().prominence()).thenComparing(byDistance);
        found.sort(order.thenComparing(n -> n.place().id()));
        return found.size() > limit ? List.copyOf(found.subList(0, limit)) : found;
    }

    /** Every grid cell that may hold a point within the radius: a latitude band, then longitudes. */
    private static Set<Long> cellsNear(double lat, double lng, double radiusMetres) {
        double dLat = radiusMetres / METRES_PER_DEGREE;
        double south = Math.max(-90, lat - dLat);
        double north = Math.min(90, lat + dLat);
        double widest = Math.max(Math.abs(south), Math.abs(north));
        // Near a pole, or for a very wide circle, every longitude is in reach.
        double dLng = widest >= 89.9 ? 180 : dLat / Math.cos(Math.toRadians(widest));
        Set<Long> out = new HashSet<>();
        int fromLat = latIndex(south);
        int toLat = latIndex(north);
        int fromLng;
        int toLng;
        if (dLng >= 180) {
            fromLng = 0;
            toLng = LNG_CELLS - 1;
        } else {
            fromLng = (int) Math.floor((lng - dLng + 180) / CELL_DEGREES);
            toLng = (int) Math.floor((lng + dLng + 180) / CELL_DEGREES);
        }
        for (int la = fromLat; la <= toLat; la++) {
            for (int ln = fromLng; ln <= toLng; ln++) {
                out.add(key(la, Math.floorMod(ln, LNG_CELLS)));
            }
        }
        return out;
    }

    private static long cellOf(double lat, double lng) {
        int ln = Math.floorMod((int) Math.floor((lng + 180) / CELL_DEGREES), LNG_CELLS);
        return key(latIndex(lat), ln);
    }

    private static int latIndex(double lat) {
        return Math.min(LAT_CELLS - 1, Math.max(0, (int) Math.floor((lat + 90) / CELL_DEGREES)));
    }

    private static long key(int latIdx, int lngIdx) {
        return (long) latIdx * LNG_CELLS + lngIdx;
    }
}
