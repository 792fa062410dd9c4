package org.herd.stream.geo;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The two walks of a query over the grid's occupied cells, nearest first: rings of cells around
 * its point (locking ring by ring), or, for an area of many cells and few occupied ones, the
 * occupied cells sorted.
 */
final class ClientWalks {
    /**
     * An area with more than {@code SPARSE} cells for each occupied one is walked by its occupied
     * cells, sorted, when there are at most {@code OCCUPIED_WALK_MAX_CELLS} of them (measuring
     * and sorting them costs about a microsecond each; more are walked in rings, which stop early).
     */
    static final int SPARSE = 8;
    static final int OCCUPIED_WALK_MAX_CELLS = 20_000;

    private ClientWalks() {
    }

    /**
     * Walks the cells of rows [rowFrom, rowTo] and columns [colFrom, colTo] (columns taken modulo
     * the grid's) in rings around the point's cell, until no cell left can hold a nearer client
     * than the heap's farthest, or {@code scanMax} clients have been examined (returns true then).
     */
    static boolean rings(ClientSearch s, CellMap cells, ReentrantReadWriteLock lock, int scanMax, int rowFrom, int rowTo, int colFrom, int colTo) {
        int r0 = Math.min(rowTo, Math.max(rowFrom, ClientGrid.row(s.lat)));
        int c0 = (int) Math.floor((s.lng + 180) / ClientGrid.CELL_DEGREES);
        while (c0 < colFrom) {
            c0 += ClientGrid.COLUMNS;
        }
        while (c0 > colTo && c0 - ClientGrid.COLUMNS >= colFrom) {
            c0 -= ClientGrid.COLUMNS;
        }
        c0 = Math.min(colTo, Math.max(colFrom, c0));
        int maxRing = Math.max(Math.max(r0 - rowFrom, rowTo - r0), Math.max(c0 - colFrom, colTo - c0));
        int widest = Math.max(c0 - colFrom, colTo - c0) + 1; // columns from the point's to the farthest
        for (int ring = 0; ring <= maxRing; ring++) {
            double reach = s.reach();
            if (reach < Double.POSITIVE_INFINITY && ClientGrid.ringBound(ring, s.lat, widest) > reach) {
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
                            GridCell c = cells.get(row * ClientGrid.COLUMNS + Math.floorMod(col, ClientGrid.COLUMNS));
                            if (c != null) {
                                s.candidates.add(new ClientSearch.Candidate(c, ClientGrid.cellDistance(s.lat, s.lng, row, col)));
                            }
                        }
                    }
                }
                if (s.walk(scanMax)) {
                    return true;
                }
            } finally {
                lock.readLock().unlock();
            }
        }
        return false;
    }

    /**
     * Walks the occupied cells in the rows [rowFrom, rowTo] and columns [colFrom, colTo] (modulo
     * the grid's), nearest first, until no cell left is within reach, or {@code scanMax} clients
     * have been examined (returns true then). For areas of many cells and few occupied ones.
     */
    static boolean occupied(ClientSearch s, CellMap cells, int scanMax, int rowFrom, int rowTo, int colFrom, int colTo) {
        s.candidates.clear();
        int[] keys = cells.keys;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == CellMap.FREE) {
                continue;
            }
            int row = keys[i] / ClientGrid.COLUMNS;
            int col = keys[i] % ClientGrid.COLUMNS;
            if (row < rowFrom || row > rowTo) {
                continue;
            }
            int shifted = col + ClientGrid.COLUMNS * (int) Math.ceil((colFrom - col) / (double) ClientGrid.COLUMNS); // the first col >= colFrom
            if (shifted <= colTo) {
                s.candidates.add(new ClientSearch.Candidate(cells.values[i], ClientGrid.cellDistance(s.lat, s.lng, row, col)));
            }
        }
        return s.walk(scanMax);
    }
}
