package org.herd.stream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Every client's newest position, in memory, for "who is near this point": a grid of cells of
 * {@value #CELL_DEGREES} degrees, each holding the clients in it, and a map from client id to
 * its entry so that a move is a removal from one cell and an insertion into another. Fed by the
 * location store's processor (so it holds what the store holds, newest client time per client)
 * and filled from the store once when a replica starts. Reads share a lock, writes take it alone.
 *
 * <p>A query walks the cells its box covers (or, for a box with more cells than there are
 * occupied ones, the occupied cells), measures each client in them and keeps the {@code limit}
 * nearest in a heap: its cost grows with the clients in the box, not with all clients.
 */
public final class ClientIndex {
    /** Cell size: about 11 km of latitude. */
    static final double CELL_DEGREES = 0.1;
    private static final int COLUMNS = (int) Math.round(360 / CELL_DEGREES);
    private static final int ROWS = (int) Math.round(180 / CELL_DEGREES);

    /** One client found: where it is and how far from the query's point (metres). */
    public record Hit(String client, double lat, double lng, double distanceMetres) {
    }

    /** Degrees in fixed point (1e-7 degree, about 1 cm): two ints where two doubles would take twice the room. */
    private static final double E7 = 1e7;

    private static final class Entry {
        final String client;
        int latE7;
        int lngE7;
        Cell cell;
        int slot;

        double lat() {
            return latE7 / E7;
        }

        double lng() {
            return lngE7 / E7;
        }

        Entry(String client) {
            this.client = client;
        }
    }

    private static final class Cell {
        Entry[] entries = new Entry[4];
        int size;

        void add(Entry e) {
            if (size == entries.length) {
                entries = java.util.Arrays.copyOf(entries, size * 2);
            }
            e.cell = this;
            e.slot = size;
            entries[size++] = e;
        }

        void remove(Entry e) {
            Entry last = entries[--size];
            entries[e.slot] = last;
            last.slot = e.slot;
            entries[size] = null;
        }
    }

    private final Map<String, Entry> byClient = new HashMap<>();
    private final CellMap cells = new CellMap();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final AtomicBoolean loaded = new AtomicBoolean();

    /** True once only: for the processor that fills the index from the store when a replica starts. */
    boolean claimLoading() {
        return loaded.compareAndSet(false, true);
    }

    /** The client is at (lat, lng) now (its newest position). */
    public void put(String client, double lat, double lng) {
        int latE7 = (int) Math.round(lat * E7);
        int lngE7 = (int) Math.round(lng * E7);
        int key = cellKey(latE7 / E7, lngE7 / E7); // of the stored value, as a removal computes it
        lock.writeLock().lock();
        try {
            Entry e = byClient.get(client);
            if (e == null) {
                e = new Entry(client);
                byClient.put(client, e);
            } else if (cellKey(e.lat(), e.lng()) != key) {
                removeFromCell(e);
            }
            e.latE7 = latE7;
            e.lngE7 = lngE7;
            if (e.cell == null) {
                cells.getOrAdd(key).add(e);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void removeFromCell(Entry e) {
        Cell c = e.cell;
        c.remove(e);
        if (c.size == 0) {
            cells.remove(cellKey(e.lat(), e.lng()));
        }
        e.cell = null;
    }

    public int size() {
        lock.readLock().lock();
        try {
            return byClient.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Up to {@code limit} clients within {@code radiusMetres} of (lat, lng), nearest first. */
    public List<Hit> near(double lat, double lng, double radiusMetres, int limit) {
        double dLat = Math.toDegrees(radiusMetres / Geo.EARTH_RADIUS_METRES);
        double south = Math.max(-90, lat - dLat);
        double north = Math.min(90, lat + dLat);
        double cos = Math.min(Math.cos(Math.toRadians(south)), Math.cos(Math.toRadians(north)));
        boolean allLongitudes = north >= 90 || south <= -90 || dLat / Math.max(cos, 1e-9) >= 180;
        double dLng = allLongitudes ? 180 : Math.min(180, dLat / cos);
        return search(lat, lng, south, north, allLongitudes ? -180 : lng - dLng, allLongitudes ? 180 : lng + dLng,
                radiusMetres, limit);
    }

    /**
     * Up to {@code limit} clients in the box, nearest its centre first; {@code west > east} is a
     * box across the antimeridian.
     */
    public List<Hit> inBox(double south, double west, double north, double east, int limit) {
        double width = east >= west ? east - west : east + 360 - west;
        double centreLng = west + width / 2;
        if (centreLng > 180) {
            centreLng -= 360;
        }
        return search((south + north) / 2, centreLng, south, north, west, west + width, Double.POSITIVE_INFINITY, limit);
    }

    /** Clients in the box [south, north] x [west, east] (east may pass 180, west may pass -180), within maxMetres of the point. */
    private List<Hit> search(double lat, double lng, double south, double north, double west, double east,
                             double maxMetres, int limit) {
        PriorityQueue<Hit> nearest = new PriorityQueue<>(Comparator.comparingDouble(Hit::distanceMetres).reversed());
        int rowFrom = row(south);
        int rowTo = row(north);
        int colFrom = (int) Math.floor((west + 180) / CELL_DEGREES);
        int colTo = (int) Math.floor((east + 180) / CELL_DEGREES);
        if (colTo - colFrom + 1 >= COLUMNS) { // every column once (the filter keeps the span)
            colFrom = 0;
            colTo = COLUMNS - 1;
        }
        long boxCells = (long) (rowTo - rowFrom + 1) * (colTo - colFrom + 1);
        lock.readLock().lock();
        try {
            if (boxCells > cells.size()) {
                for (Cell c : cells.values) {
                    if (c != null) {
                        collect(c, lat, lng, south, north, west, east, maxMetres, limit, nearest);
                    }
                }
            } else {
                for (int r = rowFrom; r <= rowTo; r++) {
                    for (int col = colFrom; col <= colTo; col++) {
                        Cell c = cells.get(r * COLUMNS + Math.floorMod(col, COLUMNS));
                        if (c != null) {
                            collect(c, lat, lng, south, north, west, east, maxMetres, limit, nearest);
                        }
                    }
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        List<Hit> out = new ArrayList<>(nearest);
        out.sort(Comparator.comparingDouble(Hit::distanceMetres).thenComparing(Hit::client));
        return out;
    }

    private static void collect(Cell c, double lat, double lng, double south, double north, double west, double east,
                                double maxMetres, int limit, PriorityQueue<Hit> nearest) {
        for (int i = 0; i < c.size; i++) {
            Entry e = c.entries[i];
            double eLat = e.lat();
            double eLng = e.lng();
            if (eLat < south || eLat > north || !withinLongitudes(eLng, west, east)) {
                continue;
            }
            double d = Geo.distanceMetres(lat, lng, eLat, eLng);
            if (d > maxMetres) {
                continue;
            }
            if (nearest.size() < limit) {
                nearest.add(new Hit(e.client, eLat, eLng, d));
            } else if (d < nearest.peek().distanceMetres()) {
                nearest.poll();
                nearest.add(new Hit(e.client, eLat, eLng, d));
            }
        }
    }

    /** Whether lng lies in [west, east], a span that may pass -180 or 180 (taken modulo 360). */
    private static boolean withinLongitudes(double lng, double west, double east) {
        if (east - west >= 360) {
            return true;
        }
        double offset = lng - west;
        offset -= 360 * Math.floor(offset / 360);
        return offset <= east - west;
    }

    private static int row(double lat) {
        return Math.min(ROWS - 1, Math.max(0, (int) Math.floor((lat + 90) / CELL_DEGREES)));
    }

    private static int cellKey(double lat, double lng) {
        int col = Math.floorMod((int) Math.floor((lng + 180) / CELL_DEGREES), COLUMNS);
        return row(lat) * COLUMNS + col;
    }

    /**
     * Occupied cells by key: open addressing over an int array (no boxed keys, no entry objects),
     * linear probing, grown at half full, deletion by moving later entries of the run back.
     */
    private static final class CellMap {
        private static final int FREE = -1; // cell keys are >= 0
        int[] keys = newKeys(16);
        Cell[] values = new Cell[16];
        int size;

        private static int[] newKeys(int n) {
            int[] k = new int[n];
            java.util.Arrays.fill(k, FREE);
            return k;
        }

        private int slot(int key) {
            return (key * 0x9E3779B9 >>> 1) & (keys.length - 1);
        }

        int size() {
            return size;
        }

        Cell get(int key) {
            for (int i = slot(key); ; i = (i + 1) & (keys.length - 1)) {
                if (keys[i] == key) {
                    return values[i];
                }
                if (keys[i] == FREE) {
                    return null;
                }
            }
        }

        Cell getOrAdd(int key) {
            if (size * 2 >= keys.length) {
                grow();
            }
            int i = slot(key);
            for (; keys[i] != FREE; i = (i + 1) & (keys.length - 1)) {
                if (keys[i] == key) {
                    return values[i];
                }
            }
            keys[i] = key;
            values[i] = new Cell();
            size++;
            return values[i];
        }

        void remove(int key) {
            int mask = keys.length - 1;
            int i = slot(key);
            while (keys[i] != key) {
                if (keys[i] == FREE) {
                    return;
                }
                i = (i + 1) & mask;
            }
            keys[i] = FREE;
            values[i] = null;
            size--;
            // move back the entries after it in its run that would no longer be found
            for (int j = (i + 1) & mask; keys[j] != FREE; j = (j + 1) & mask) {
                int home = slot(keys[j]);
                boolean reachable = i <= j ? (home > i && home <= j) : (home > i || home <= j);
                if (!reachable) {
                    keys[i] = keys[j];
                    values[i] = values[j];
                    keys[j] = FREE;
                    values[j] = null;
                    i = j;
                }
            }
        }

        private void grow() {
            int[] oldKeys = keys;
            Cell[] oldValues = values;
            keys = newKeys(oldKeys.length * 2);
            values = new Cell[oldKeys.length * 2];
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != FREE) {
                    int j = slot(oldKeys[i]);
                    while (keys[j] != FREE) {
                        j = (j + 1) & (keys.length - 1);
                    }
                    keys[j] = oldKeys[i];
                    values[j] = oldValues[i];
                }
            }
        }
    }
}
