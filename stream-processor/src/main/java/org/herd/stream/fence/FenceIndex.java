package org.herd.stream.fence;

import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.quadtree.Quadtree;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;

/**
 * Every fence a node holds, in memory, indexed by bounding box (a JTS quadtree), so that finding
 * the fences around a point does not scan them all. Written by the thread that applies the fences
 * topic, read by any thread: a read-write lock keeps readers concurrent.
 */
public final class FenceIndex {
    /** A fence as the index holds it: its client glob compiled, and when it was stored. */
    public record Entry(Fence fence, Pattern match, long since) {
        public boolean watches(String client) {
            return match.matcher(client).matches();
        }
    }

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Quadtree tree = new Quadtree();
    private final TreeMap<String, Entry> byId = new TreeMap<>();

    /** Adds or replaces the fence; {@code since}: its record's timestamp (ms). */
    public void put(Fence fence, long since) {
        Entry e = new Entry(fence, Globs.compile(fence.match()), since);
        lock.writeLock().lock();
        try {
            removeLocked(fence.id());
            byId.put(fence.id(), e);
            for (Fence.Box b : fence.shape().boxes()) {
                tree.insert(envelope(b), e);
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
        if (old != null) {
            for (Fence.Box b : old.fence().shape().boxes()) {
                tree.remove(envelope(b), old);
            }
        }
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
        List<?> candidates;
        lock.readLock().lock();
        try {
            candidates = tree.query(new Envelope(lng, lng, lat, lat));
        } finally {
            lock.readLock().unlock();
        }
        // entries are immutable: the exact tests need no lock
        Map<Entry, Boolean> seen = new IdentityHashMap<>();
        List<Entry> hits = new ArrayList<>();
        for (Object o : candidates) {
            Entry e = (Entry) o;
            if (seen.put(e, Boolean.TRUE) == null && e.fence().shape().contains(lat, lng)) {
                hits.add(e);
            }
        }
        hits.sort(Comparator.comparing(e -> e.fence().id()));
        return hits;
    }

    private static Envelope envelope(Fence.Box b) {
        return new Envelope(b.west(), b.east(), b.south(), b.north());
    }
}
