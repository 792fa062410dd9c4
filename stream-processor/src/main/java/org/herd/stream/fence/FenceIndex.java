package org.herd.stream.fence;


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
 * Every fence a node holds, in memory, indexed by a grid of one-degree cells: a fence is listed
 * in every cell its bounding boxes touch, so the fences around a point are the few listed in its
 * cell (checked against their boxes, then exactly). A fence whose boxes touch more than
 * {@value #MAX_CELLS} cells (a continent) is kept in a short list that every lookup checks.
 * Written by the thread that applies the fences topic, read by any thread: a read-write lock
 * keeps readers concurrent.
 */
public final class FenceIndex {
    /** Cells a fence may be listed in before it goes to the list of large fences. */
    static final int MAX_CELLS = 4096;

    /** A fence as the index holds it: its client glob compiled, and when it was stored. */
    public record Entry(Fence fence, Glob match, long since, List<Fence.Box> boxes) {
        public boolean watches(String client) {
            return match.matches(client);
        }

        boolean boxesHold(double lat, double lng) {
            for (Fence.Box b : boxes) {
                if (lat >= b.south() && lat <= b.north() && lng >= b.west() && lng <= b.east()) {
                    return true;
                }
            }
            return false;
        }
    }

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Integer, List<Entry>> cells = new HashMap<>();
    private final List<Entry> large = new ArrayList<>();
    private final TreeMap<String, Entry> byId = new TreeMap<>();

    /** Adds or replaces the fence; {@code since}: its record's timestamp (ms). */
    public void put(Fence fence, long since) {
        Entry e = new Entry(fence, Glob.of(fence.match()), since, fence.shape().boxes());
        lock.writeLock().lock();
        try {
            removeLocked(fence.id());
            byId.put(fence.id(), e);
            List<Integer> touched = cellsOf(e);
            if (touched == null) {
                large.add(e);
            } else {
                touched.forEach(c -> cells.computeIfAbsent(c, k -> new ArrayList<>(2)).add(e));
            }
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
        Entry old = byId.remove(id);
        if (old == null) {
            return;
        }
        List<Integer> touched = cellsOf(old);
        if (touched == null) {
            large.remove(old);
            return;
        }
        for (int c : touched) {
            List<Entry> l = cells.get(c);
            l.remove(old);
            if (l.isEmpty()) {
                cells.remove(c);
            }
        }
    }

    /** The cells the entry's boxes touch, or null when they are more than {@link #MAX_CELLS}. */
    private static List<Integer> cellsOf(Entry e) {
        List<Integer> out = new ArrayList<>();
        for (Fence.Box b : e.boxes()) {
            int s = row(b.south());
            int n = row(b.north());
            int w = column(b.west());
            int east = column(b.east());
            if ((long) (n - s + 1) * (east - w + 1) + out.size() > MAX_CELLS) {
                return null;
            }
            for (int r = s; r <= n; r++) {
                for (int c = w; c <= east; c++) {
                    out.add(r * 361 + c);
                }
            }
        }
        return out;
    }

    private static int row(double lat) {
        return (int) Math.floor(Math.max(-90, Math.min(90, lat)) + 90);
    }

    private static int column(double lng) {
        return (int) Math.floor(Math.max(-180, Math.min(180, lng)) + 180);
    }

    public Optional<Entry> get(String id) {
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
            for (Entry e : (after == null ? byId : byId.tailMap(after, false)).values()) {
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

    public int size() {
        lock.readLock().lock();
        try {
            return byId.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The fences whose area holds the point (boundary included), by id. */
    public List<Entry> containing(double lat, double lng) {
        List<Entry> candidates = new ArrayList<>();
        lock.readLock().lock();
        try {
            List<Entry> inCell = cells.get(row(lat) * 361 + column(lng));
            if (inCell != null) {
                candidates.addAll(inCell);
            }
            candidates.addAll(large);
        } finally {
            lock.readLock().unlock();
        }
        // entries are immutable: the exact tests need no lock
        List<Entry> hits = new ArrayList<>();
        for (Entry e : candidates) {
            if (e.boxesHold(lat, lng) && e.fence().shape().contains(lat, lng)) {
                hits.add(e);
            }
        }
        hits.sort(Comparator.comparing(e -> e.fence().id()));
        return hits;
    }
}
