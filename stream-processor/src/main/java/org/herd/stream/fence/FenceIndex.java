package org.herd.stream.fence;


import org.herd.stream.model.Json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Every fence a node holds, in memory, indexed by two grids: a fence whose bounding boxes touch at
 * most {@value #MAX_FINE_CELLS} cells of one degree is listed in those; a larger one in the cells
 * of {@value #COARSE_DEGREES} degrees its boxes touch (at most 325, the whole world). The fences
 * around a point are those listed in its two cells (checked against their boxes, then exactly).
 * So a fence costs at most a few hundred list slots however large it is, and every lookup checks
 * two short lists.
 *
 * <p>The index keeps an estimate of the heap its fences take ({@link #bytes()}, by
 * {@link #costOf}), which {@code fences.max.bytes} bounds. Written by the thread that applies the
 * fences topic, read by any thread: a read-write lock keeps readers concurrent.
 */
public final class FenceIndex {
    /** One-degree cells a fence may be listed in before it is listed in the coarse grid instead. */
    static final int MAX_FINE_CELLS = 64;
    /** The coarse grid's cells, in degrees (12 rows by 24 columns cover the world). */
    static final int COARSE_DEGREES = 15;
    private static final int COARSE_COLUMNS = 360 / COARSE_DEGREES + 1;
    /** Coarse cell keys are negative, apart from the fine ones. */
    private static final int COARSE = -1_000_000;

    /**
     * Estimated heap of one fence in an index, in bytes: the entry, id, glob and boxes; the meta
     * object as a JSON tree; a polygon's text, its coordinates and the prepared geometry's edge
     * index; and its grid slots. Calibrated on this JVM against measured heaps (docs/operations.md).
     */
    public static long costOf(Fence fence) {
        return costOf(fence, cellsOf(fence.shape().boxes()));
    }

    private static long costOf(Fence fence, List<Integer> cells) {
        long bytes = 600 + 2L * fence.id().length() + 2L * fence.match().length();
        if (fence.meta() != null) {
            bytes += 4L * Json.encode(fence.meta()).length;
        }
        if (fence.shape() instanceof Fence.Polygon p) {
            bytes += p.geoJson().length() + BYTES_PER_POSITION * p.geometry().positions();
        }
        return bytes + 8L * cells.size();
    }

    /** Heap per polygon position (JTS coordinate and its slot, the prepared edge index): see {@link #costOf}. */
    static final long BYTES_PER_POSITION = 160;

    /** A fence as the index holds it: its client glob compiled, and when it was stored. */
    public record IndexedFence(Fence fence, Glob match, long since, List<Fence.Bounds> boxes, List<Integer> cells, long cost) {
        public boolean watches(String client) {
            return match.matches(client);
        }

        boolean boxesHold(double lat, double lng) {
            for (Fence.Bounds b : boxes) {
                if (lat >= b.south() && lat <= b.north() && lng >= b.west() && lng <= b.east()) {
                    return true;
                }
            }
            return false;
        }
    }

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Integer, List<IndexedFence>> cells = new HashMap<>();
    private final TreeMap<String, IndexedFence> byId = new TreeMap<>();
    private long bytes;

    /** Adds or replaces the fence; {@code since}: its record's timestamp (ms). */
    public void put(Fence fence, long since) {
        List<Fence.Bounds> boxes = fence.shape().boxes();
        List<Integer> listed = cellsOf(boxes);
        IndexedFence e = new IndexedFence(fence, Glob.of(fence.match()), since, boxes, listed, costOf(fence, listed));
        lock.writeLock().lock();
        try {
            removeLocked(fence.id());
            byId.put(fence.id(), e);
            e.cells().forEach(c -> cells.computeIfAbsent(c, k -> new ArrayList<>(2)).add(e));
            bytes += e.cost();
        } finally {
            lock.writeLock().unlock();
        }
    }

    public void remove(String id) {
        lock.writeLock().lock();
        try {
            removeLocked(id);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void removeLocked(String id) {
        IndexedFence old = byId.remove(id);
        if (old == null) {
            return;
        }
        bytes -= old.cost();
        for (int c : old.cells()) {
            List<IndexedFence> l = cells.get(c);
            l.remove(old);
            if (l.isEmpty()) {
                cells.remove(c);
            }
        }
    }

    /** The one-degree cells the boxes touch, or the coarse ones when those are more than {@link #MAX_FINE_CELLS}. */
    static List<Integer> cellsOf(List<Fence.Bounds> boxes) {
        List<Integer> fine = new ArrayList<>();
        for (Fence.Bounds b : boxes) {
            int s = row(b.south());
            int n = row(b.north());
            int w = column(b.west());
            int east = column(b.east());
            if ((long) (n - s + 1) * (east - w + 1) + fine.size() > MAX_FINE_CELLS) {
                return coarseCellsOf(boxes);
            }
            for (int r = s; r <= n; r++) {
                for (int c = w; c <= east; c++) {
                    fine.add(r * 361 + c);
                }
            }
        }
        return List.copyOf(fine);
    }

    private static List<Integer> coarseCellsOf(List<Fence.Bounds> boxes) {
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        for (Fence.Bounds b : boxes) {
            for (int r = row(b.south()) / COARSE_DEGREES; r <= row(b.north()) / COARSE_DEGREES; r++) {
                for (int c = column(b.west()) / COARSE_DEGREES; c <= column(b.east()) / COARSE_DEGREES; c++) {
                    out.add(COARSE - (r * COARSE_COLUMNS + c));
                }
            }
        }
        return List.copyOf(out);
    }

    private static int coarseCell(double lat, double lng) {
        return COARSE - ((row(lat) / COARSE_DEGREES) * COARSE_COLUMNS + column(lng) / COARSE_DEGREES);
    }

    private static int row(double lat) {
        return (int) Math.floor(Math.max(-90, Math.min(90, lat)) + 90);
    }

    private static int column(double lng) {
        return (int) Math.floor(Math.max(-180, Math.min(180, lng)) + 180);
    }

    public Optional<IndexedFence> get(String id) {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(byId.get(id));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Up to {@code limit} fences in id order, those after {@code after} (null: from the first). */
    public List<Fence> page(String after, int limit) {
        lock.readLock().lock();
        try {
            List<Fence> out = new ArrayList<>(Math.min(limit, byId.size()));
            for (IndexedFence e : (after == null ? byId : byId.tailMap(after, false)).values()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(e.fence());
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Estimated heap of every fence held, in bytes ({@link #costOf}). */
    public long bytes() {
        lock.readLock().lock();
        try {
            return bytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return byId.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The fences whose area holds the point (boundary included), by id. */
    public List<IndexedFence> containing(double lat, double lng) {
        List<IndexedFence> candidates = new ArrayList<>();
        lock.readLock().lock();
        try {
            List<IndexedFence> inCell = cells.get(row(lat) * 361 + column(lng));
            if (inCell != null) {
                candidates.addAll(inCell);
            }
            List<IndexedFence> inCoarse = cells.get(coarseCell(lat, lng));
            if (inCoarse != null) {
                candidates.addAll(inCoarse);
            }
        } finally {
            lock.readLock().unlock();
        }
        // entries are immutable: the exact tests need no lock
        List<IndexedFence> hits = new ArrayList<>();
        for (IndexedFence e : candidates) {
            if (e.boxesHold(lat, lng) && e.fence().shape().contains(lat, lng)) {
                hits.add(e);
            }
        }
        hits.sort(Comparator.comparing(e -> e.fence().id()));
        return hits;
    }
}
