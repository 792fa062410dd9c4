package org.herd.stream.geo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    /** Cell size: about 11 km of latitude ({@link ClientGrid}). */
    static final double CELL_DEGREES = ClientGrid.CELL_DEGREES;

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
        int latE7 = (int) Math.round(lat * ClientSlot.E7);
        int lngE7 = (int) Math.round(lng * ClientSlot.E7);
        int key = ClientGrid.cellKey(latE7 / ClientSlot.E7, lngE7 / ClientSlot.E7); // of the stored value, as a removal computes it
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
            } else if (ClientGrid.cellKey(e.lat(), e.lng()) != key) {
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
        GridCell c = e.cell;
        c.remove(e);
        if (c.size == 0) {
            cells.remove(ClientGrid.cellKey(e.lat(), e.lng()));
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
        ClientSearch s = new ClientSearch(lat, lng, south, north, west, east, maxMetres, limit);
        int rowFrom = ClientGrid.row(south);
        int rowTo = ClientGrid.row(north);
        int colFrom = (int) Math.floor((west + 180) / CELL_DEGREES);
        int colTo = (int) Math.floor((east + 180) / CELL_DEGREES);
        if (colTo - colFrom + 1 >= ClientGrid.COLUMNS) { // every column once (the filter keeps the span)
            colFrom = 0;
            colTo = ClientGrid.COLUMNS - 1;
        }
        long boxCells = (long) (rowTo - rowFrom + 1) * (colTo - colFrom + 1);
        boolean scanCut;
        boolean sparse;
        lock.readLock().lock();
        try {
            sparse = !ringsOnly && boxCells > (long) cells.size() * ClientWalks.SPARSE && cells.size() <= ClientWalks.OCCUPIED_WALK_MAX_CELLS;
            scanCut = sparse && ClientWalks.occupied(s, cells, limits.scanMax(), rowFrom, rowTo, colFrom, colTo);
        } finally {
            lock.readLock().unlock();
        }
        if (!sparse) {
            scanCut = ClientWalks.rings(s, cells, lock, limits.scanMax(), rowFrom, rowTo, colFrom, colTo); // takes the lock ring by ring
        }
        List<Hit> out = new ArrayList<>(s.nearest);
        out.sort(Comparator.comparingDouble(Hit::distanceMetres).thenComparing(Hit::client));
        return new NearClients(out, scanCut, leftOut.get());
    }

}
