package org.herd.stream.geo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Every client's newest position, in memory, for "who is near this point": a grid of cells of
 * {@value #CELL_DEGREES} degrees, each holding the clients in it, and a map from client id to
 * its entry so that a move is a removal from one cell and an insertion into another. Fed by the
 * location store's processor (so it holds what the store holds, newest client time per client)
 * and filled from the store once when a replica starts. Reads share a lock, writes take it alone.
 *
 * <p>Bounded by two settings ({@link ClientIndexLimits}): at most {@code maxClients} clients (a client first
 * seen once the index is full is left out, counted, and every answer says it may be incomplete),
 * and at most {@code scanMax} clients examined by one query. A query walks the occupied cells of
 * its area nearest first (by the shortest distance from its point to each cell): in rings of cells
 * around its point, or, where the area has many more cells than the index has occupied ones (and
 * those are few), by the occupied cells sorted. It measures each client of a cell, keeps the {@code limit} nearest in
 * a heap, and stops when no cell left can hold a nearer client, or when it has examined
 * {@code scanMax} clients (then its answer is the nearest of those, and says so). The cells a ring
 * walk probes are bounded by the grid (6,480,000 at most, for a query of the whole world whose
 * answer lies far from its centre).
 */
public final class ClientIndex {
    /** Cell size: about 11 km of latitude. */
    static final double CELL_DEGREES = 0.1;
    private static final int COLUMNS = (int) Math.round(360 / CELL_DEGREES);
    private static final int ROWS = (int) Math.round(180 / CELL_DEGREES);

    /**
     * {@code maxClients}: clients the index holds at most; {@code scanMax}: clients one query
     * examines at most; {@code maxBytes}: the index's estimated heap at most ({@link #costOf}:
     * about 180 bytes a client plus its id, so 210 for ids of a few dozen Latin-1 characters and
     * about 1,250 for the longest, 256 code points outside the Basic Multilingual Plane).
     */
    public record ClientIndexLimits(int maxClients, int scanMax, long maxBytes) {
        public static final ClientIndexLimits DEFAULT = new ClientIndexLimits(1_500_000, 200_000, 320L << 20);

        public ClientIndexLimits(int maxClients, int scanMax) {
            this(maxClients, scanMax, Long.MAX_VALUE);
        }

        public ClientIndexLimits {
            if (maxClients < 1 || scanMax < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("the client index's limits must be positive: " + maxClients + ", "
                        + scanMax + ", " + maxBytes);
            }
        }
    }

    /**
     * Estimated heap of one client in the index, in bytes: its entry, map node, cell slot (about
     * 180, measured), and its id's string (40 and a byte a character for Latin-1 ids, two otherwise).
     */
    public static long costOf(String client) {
        boolean latin1 = client.chars().allMatch(c -> c < 256);
        return 220 + (long) client.length() * (latin1 ? 1 : 2);
    }

    /** One client found: where it is and how far from the query's point (metres). */
    public record Hit(String client, double lat, double lng, double distanceMetres) {
    }

    /**
     * A query's answer: the clients found, nearest first, and whether it is complete: false when
     * the query stopped at {@code scanMax} clients examined ({@code scanCut}), or when the index is
     * full and has left clients out ({@code leftOut} of them so far), who might have been in it.
     */
    public record NearClients(List<Hit> hits, boolean scanCut, long leftOut) {
        public boolean complete() {
            return !scanCut && leftOut == 0;
        }
    }

    /** Degrees in fixed point (1e-7 degree, about 1 cm): two ints where two doubles would take twice the room. */
    private static final double E7 = 1e7;

    private static final class ClientSlot {
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

        ClientSlot(String client) {
            this.client = client;
        }
    }

    private static final class Cell {
        ClientSlot[] entries = new ClientSlot[4];
        int size;

        void add(ClientSlot e) {
            if (size == entries.length) {
                entries = java.util.Arrays.copyOf(entries, size * 2);
            }
            e.cell = this;
            e.slot = size;
            entries[size++] = e;
        }

        void remove(ClientSlot e) {
            ClientSlot last = entries[--size];
            entries[e.slot] = last;
            last.slot = e.slot;
            entries[size] = null;
        }
    }

    private final ClientIndexLimits limits;
    private final Map<String, ClientSlot> byClient = new HashMap<>();
    private final CellMap cells = new CellMap();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final AtomicBoolean loaded = new AtomicBoolean();
    private final AtomicLong leftOut = new AtomicLong();
    private long bytes;

    private final boolean ringsOnly;

    public ClientIndex(ClientIndexLimits limits) {
        this(limits, false);
    }

    public ClientIndex() {
        this(ClientIndexLimits.DEFAULT);
    }

    /** {@code ringsOnly}: every query walks rings of cells, never the occupied cells (so that tests cover both walks). */
    ClientIndex(ClientIndexLimits limits, boolean ringsOnly) {
        this.limits = limits;
        this.ringsOnly = ringsOnly;
    }

    public ClientIndexLimits limits() {
        return limits;
    }

    /** True once only: for the processor that fills the index from the store when a replica starts. */
    public boolean claimLoading() {
        return loaded.compareAndSet(false, true);
    }

    /**
     * The client is at (lat, lng) now (its newest position). A client not in the index is left
     * out (and counted) when the index holds {@code maxClients} already; returns whether it is in.
     */
    public boolean put(String client, double lat, double lng) {
        int latE7 = (int) Math.round(lat * E7);
        int lngE7 = (int) Math.round(lng * E7);
        int key = cellKey(latE7 / E7, lngE7 / E7); // of the stored value, as a removal computes it
        lock.writeLock().lock();
        try {
            ClientSlot e = byClient.get(client);
            if (e == null) {
                long cost = costOf(client);
                if (byClient.size() >= limits.maxClients() || bytes + cost > limits.maxBytes()) {
                    leftOut.incrementAndGet();
                    return false;
                }
                e = new ClientSlot(client);
                byClient.put(client, e);
                bytes += cost;
            } else if (cellKey(e.lat(), e.lng()) != key) {
                removeFromCell(e);
            }
            e.latE7 = latE7;
            e.lngE7 = lngE7;
            if (e.cell == null) {
                cells.getOrAdd(key).add(e);
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void removeFromCell(ClientSlot e) {
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

    /** Estimated heap of the clients held ({@link #costOf}). */
    public long bytes() {
        lock.readLock().lock();
        try {
            return bytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Updates of clients left out because the index was full (a client sending several counts several times). */
    public long leftOut() {
        return leftOut.get();
    }

    /** Up to {@code limit} clients within {@code radiusMetres} of (lat, lng), nearest first. */
    public NearClients near(double lat, double lng, double radiusMetres, int limit) {
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
    public NearClients inBox(double south, double west, double north, double east, int limit) {
        double width = east >= west ? east - west : east + 360 - west;
        double centreLng = west + width / 2;
        if (centreLng > 180) {
            centreLng -= 360;
        }
        return search((south + north) / 2, centreLng, south, north, west, west + width, Double.POSITIVE_INFINITY, limit);
    }

    /** Clients in the box [south, north] x [west, east] (east may pass 180, west may pass -180), within maxMetres of the point. */
    private NearClients search(double lat, double lng, double south, double north, double west, double east,
                          double maxMetres, int limit) {
        Search s = new Search(lat, lng, south, north, west, east, maxMetres, limit);
        int rowFrom = row(south);
        int rowTo = row(north);
        int colFrom = (int) Math.floor((west + 180) / CELL_DEGREES);
        int colTo = (int) Math.floor((east + 180) / CELL_DEGREES);
        if (colTo - colFrom + 1 >= COLUMNS) { // every column once (the filter keeps the span)
            colFrom = 0;
            colTo = COLUMNS - 1;
        }
        long boxCells = (long) (rowTo - rowFrom + 1) * (colTo - colFrom + 1);
        boolean scanCut;
        boolean sparse;
        lock.readLock().lock();
        try {
            sparse = !ringsOnly && boxCells > (long) cells.size() * SPARSE && cells.size() <= OCCUPIED_WALK_MAX_CELLS;
            scanCut = sparse && occupied(s, rowFrom, rowTo, colFrom, colTo);
        } finally {
            lock.readLock().unlock();
        }
        if (!sparse) {
            scanCut = rings(s, rowFrom, rowTo, colFrom, colTo); // takes the lock ring by ring
        }
        List<Hit> out = new ArrayList<>(s.nearest);
        out.sort(Comparator.comparingDouble(Hit::distanceMetres).thenComparing(Hit::client));
        return new NearClients(out, scanCut, leftOut.get());
    }

    /**
     * Walks the cells of rows [rowFrom, rowTo] and columns [colFrom, colTo] (columns taken modulo
     * the grid's) in rings around the point's cell, until no cell left can hold a nearer client
     * than the heap's farthest, or {@code scanMax} clients have been examined (returns true then).
     */
    private boolean rings(Search s, int rowFrom, int rowTo, int colFrom, int colTo) {
        int r0 = Math.min(rowTo, Math.max(rowFrom, row(s.lat)));
        int c0 = (int) Math.floor((s.lng + 180) / CELL_DEGREES);
        while (c0 < colFrom) {
            c0 += COLUMNS;
        }
        while (c0 > colTo && c0 - COLUMNS >= colFrom) {
            c0 -= COLUMNS;
        }
        c0 = Math.min(colTo, Math.max(colFrom, c0));
        int maxRing = Math.max(Math.max(r0 - rowFrom, rowTo - r0), Math.max(c0 - colFrom, colTo - c0));
        int widest = Math.max(c0 - colFrom, colTo - c0) + 1; // columns from the point's to the farthest
        for (int ring = 0; ring <= maxRing; ring++) {
            double reach = s.reach();
            if (reach < Double.POSITIVE_INFINITY && ringBound(ring, s.lat, widest) > reach) {
                return false;
            }
            // the lock is held for one ring at a time: a walk of the whole world (millions of cells)
            // never keeps the replica from applying updates for longer than a ring takes
            lock.readLock().lock();
            try {
                s.candidates.clear();
                for (int row = Math.max(rowFrom, r0 - ring); row <= Math.min(rowTo, r0 + ring); row++) {
                    boolean edgeRow = row == r0 - ring || row == r0 + ring;
                    int step = edgeRow ? 1 : Math.max(1, 2 * ring);
                    for (int col = c0 - ring; col <= c0 + ring; col += step) {
                        if (col >= colFrom && col <= colTo) {
                            Cell c = cells.get(row * COLUMNS + Math.floorMod(col, COLUMNS));
                            if (c != null) {
                                s.candidates.add(new Candidate(c, cellDistance(s.lat, s.lng, row, col)));
                            }
                        }
                    }
                }
                if (s.walk(limits.scanMax())) {
                    return true;
                }
            } finally {
                lock.readLock().unlock();
            }
        }
        return false;
    }

    /**
     * An area with more than {@code SPARSE} cells for each occupied one is walked by its occupied
     * cells, sorted, when there are at most {@code OCCUPIED_WALK_MAX_CELLS} of them (measuring
     * and sorting them costs about a microsecond each; more are walked in rings, which stop early).
     */
    private static final int SPARSE = 8;
    private static final int OCCUPIED_WALK_MAX_CELLS = 20_000;

    /**
     * Walks the occupied cells in the rows [rowFrom, rowTo] and columns [colFrom, colTo] (modulo
     * the grid's), nearest first, until no cell left is within reach, or {@code scanMax} clients
     * have been examined (returns true then). For areas of many cells and few occupied ones.
     */
    private boolean occupied(Search s, int rowFrom, int rowTo, int colFrom, int colTo) {
        s.candidates.clear();
        int[] keys = cells.keys;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == CellMap.FREE) {
                continue;
            }
            int row = keys[i] / COLUMNS;
            int col = keys[i] % COLUMNS;
            if (row < rowFrom || row > rowTo) {
                continue;
            }
            int shifted = col + COLUMNS * (int) Math.ceil((colFrom - col) / (double) COLUMNS); // the first col >= colFrom
            if (shifted <= colTo) {
                s.candidates.add(new Candidate(cells.values[i], cellDistance(s.lat, s.lng, row, col)));
            }
        }
        return s.walk(limits.scanMax());
    }

    /**
     * A lower bound of the distance from a point at {@code lat} to any cell {@code ring} or more
     * rings from its own. Such a cell is {@code ring} or more rows away (at least {@code ring - 1}
     * cells of latitude, along a meridian), or {@code ring} or more columns away and {@code d} rows
     * away for some d below {@code ring}: then it is at least {@code d - 1} cells of latitude away and,
     * both being no farther from the equator than {@code |lat| + (d + 1)} cells, at least the chord
     * between circles of that latitude for the smallest longitude separation the remaining columns
     * can have ({@code widest} columns out at most: columns past 180 degrees come round again).
     */
    static double ringBound(int ring, double lat, int widest) {
        if (ring <= 1) {
            return 0;
        }
        double separation = Math.max(0, Math.min((ring - 1) * CELL_DEGREES, 360 - widest * CELL_DEGREES));
        double sinHalf = Math.sin(Math.toRadians(Math.min(180, separation)) / 2);
        double best = metres((ring - 1) * CELL_DEGREES);
        for (int d = 0; d < ring; d++) {
            double byLat = metres(Math.max(0, d - 1) * CELL_DEGREES);
            if (byLat >= best) {
                break;
            }
            double cos = Math.cos(Math.toRadians(Math.min(90, Math.abs(lat) + (d + 1) * CELL_DEGREES)));
            double byLng = 2 * Geo.EARTH_RADIUS_METRES * Math.asin(Math.min(1, Math.max(0, cos) * sinHalf));
            best = Math.min(best, Math.max(byLat, byLng));
        }
        return best;
    }

    /** Metres along a meridian for {@code degrees} of latitude. */
    private static double metres(double degrees) {
        return Math.toRadians(degrees) * Geo.EARTH_RADIUS_METRES;
    }

    /**
     * The shortest distance from (lat, lng) to any point of the cell at {@code row} and
     * {@code col} (modulo the grid's columns): along the meridian when the point's longitude
     * crosses the cell, else to the nearer of its two meridian edges (a point of a meridian
     * segment nearest another is its interior extremum or an end).
     */
    static double cellDistance(double lat, double lng, int row, int col) {
        double south = row * CELL_DEGREES - 90;
        double north = south + CELL_DEGREES;
        double west = Math.floorMod(col, COLUMNS) * CELL_DEGREES - 180;
        double offset = lng - west;
        offset -= 360 * Math.floor(offset / 360);
        if (offset <= CELL_DEGREES) {
            return metres(Math.max(0, Math.max(south - lat, lat - north)));
        }
        double toEast = offset - CELL_DEGREES; // degrees from the cell's east edge eastwards to the point
        double toWest = 360 - offset;          // from the point eastwards to the cell's west edge
        return Math.min(meridianDistance(lat, toEast, south, north), meridianDistance(lat, toWest, south, north));
    }

    /** Distance from a point at {@code lat} to the meridian segment [south, north] {@code dLng} degrees away. */
    private static double meridianDistance(double lat, double dLng, double south, double north) {
        double phi = Math.toRadians(lat);
        double a = Math.sin(phi);
        double b = Math.cos(phi) * Math.cos(Math.toRadians(dLng));
        // cos(distance) = a sin(theta) + b cos(theta), greatest at theta0 = atan2(a, b)
        double best = Math.max(cosAt(a, b, south), cosAt(a, b, north));
        double theta0 = Math.toDegrees(Math.atan2(a, b));
        if (theta0 >= south && theta0 <= north) {
            best = Math.max(best, cosAt(a, b, theta0));
        }
        return Geo.EARTH_RADIUS_METRES * Math.acos(Math.max(-1, Math.min(1, best)));
    }

    private static double cosAt(double a, double b, double thetaDegrees) {
        double t = Math.toRadians(thetaDegrees);
        return a * Math.sin(t) + b * Math.cos(t);
    }

    /** An occupied cell a query may walk, and the shortest distance from the query's point to it. */
    private record Candidate(Cell cell, double distance) {
    }

    /** One query's state: its area, the heap of the nearest so far, the clients examined. */
    private static final class Search {
        final double lat;
        final double lng;
        final double south;
        final double north;
        final double west;
        final double east;
        final double maxMetres;
        final int limit;
        final PriorityQueue<Hit> nearest = new PriorityQueue<>(Comparator.comparingDouble(Hit::distanceMetres).reversed());
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

        Search(double lat, double lng, double south, double north, double west, double east, double maxMetres, int limit) {
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

        void collect(Cell c) {
            examined += c.size;
            for (int i = 0; i < c.size; i++) {
                ClientSlot e = c.entries[i];
                double eLat = e.lat();
                double eLng = e.lng();
                if (eLat < south || eLat > north || !withinLongitudes(eLng, west, east)) {
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
                    nearest.add(new Hit(e.client, eLat, eLng, d));
                    kept.add(e.client);
                } else if (d < nearest.peek().distanceMetres()) {
                    kept.remove(nearest.poll().client());
                    nearest.add(new Hit(e.client, eLat, eLng, d));
                    kept.add(e.client);
                }
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
