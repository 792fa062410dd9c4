package org.herd.stream.geo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** One query's state: its area, the heap of the nearest so far, the clients examined. */
final class ClientSearch {
    /** An occupied cell a query may walk, and the shortest distance from the query's point to it. */
    record Candidate(GridCell cell, double distance) {
    }

    final double lat;
    final double lng;
    final double south;
    final double north;
    final double west;
    final double east;
    final double maxMetres;
    final int limit;
    final PriorityQueue<ClientIndex.Hit> nearest = new PriorityQueue<>(Comparator.comparingDouble(ClientIndex.Hit::distanceMetres).reversed());
    final List<Candidate> candidates = new ArrayList<>();
    /** The clients in {@link #nearest}. */
    final java.util.Set<String> kept = new java.util.HashSet<>();
    long examined;

    /**
     * Collects the candidate cells nearest first while they are within reach; true if it
     * stopped because {@code scanMax} clients have been examined.
     */
    boolean walk(int scanMax) {
        candidates.sort(Comparator.comparingDouble(Candidate::distance));
        for (Candidate c : candidates) {
            if (c.distance() - 1 > reach()) { // a metre to spare for rounding
                return false;
            }
            collect(c.cell());
            if (examined >= scanMax) {
                return true;
            }
        }
        return false;
    }

    ClientSearch(double lat, double lng, double south, double north, double west, double east, double maxMetres, int limit) {
        this.lat = lat;
        this.lng = lng;
        this.south = south;
        this.north = north;
        this.west = west;
        this.east = east;
        this.maxMetres = maxMetres;
        this.limit = limit;
    }

    /** How far a client may be and still count: maxMetres, or the farthest kept once the heap is full. */
    double reach() {
        return nearest.size() == limit ? Math.min(maxMetres, nearest.peek().distanceMetres()) : maxMetres;
    }

    void collect(GridCell c) {
        examined += c.size;
        for (int i = 0; i < c.size; i++) {
            ClientSlot e = c.entries[i];
            double eLat = e.lat();
            double eLng = e.lng();
            if (eLat < south || eLat > north || !ClientGrid.withinLongitudes(eLng, west, east)) {
                continue;
            }
            double d = Geo.distanceMetres(lat, lng, eLat, eLng);
            if (d > maxMetres) {
                continue;
            }
            if (kept.contains(e.client)) {
                continue; // moved between rings since it was taken (the walk locks ring by ring): once
            }
            if (nearest.size() < limit) {
                nearest.add(new ClientIndex.Hit(e.client, eLat, eLng, d));
                kept.add(e.client);
            } else if (d < nearest.peek().distanceMetres()) {
                kept.remove(nearest.poll().client());
                nearest.add(new ClientIndex.Hit(e.client, eLat, eLng, d));
                kept.add(e.client);
            }
        }
    }
}
