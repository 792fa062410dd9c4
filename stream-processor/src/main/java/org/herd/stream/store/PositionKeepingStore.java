package org.herd.stream.store;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A RocksDB store that keeps how far its topic has been applied inside itself: it loads those
 * positions into its {@link AppliedOffsets} when it opens, and writes them once per flush, just
 * before the data is flushed. Kafka Streams flushes a global store before it writes the
 * checkpoint it resumes from, and a RocksDB store without a write-ahead log always comes back as a
 * prefix of its writes, so after any restart the stored positions are at least the checkpoint and
 * never ahead of the data: Streams replays from the checkpoint, and the positions count every
 * record before it as applied.
 *
 * <p>Relies on Kafka Streams writing the global checkpoint only after flushing the global stores:
 * in 4.1 the checkpoint file is written only by {@code GlobalStateUpdateTask.flushState()}, which
 * flushes first (after restoring, periodically, and on close). Check this when upgrading Streams.
 *
 * <p>The position entries are the store's own bookkeeping: readers never see them ({@code get},
 * ranges and scans return data only), and a write of a key in their key space is refused, so no
 * record can overwrite them (the processors skip such keys as invalid before they get here).
 */
public final class PositionKeepingStore implements KeyValueStore<Bytes, byte[]> {
    /**
     * Store keys that hold bookkeeping rather than data start with a space: neither a client id
     * nor a place id may contain white space, so they can never collide.
     */
    static final String APPLIED_OFFSET_KEY_PREFIX = " applied-offset ";

    private final KeyValueStore<Bytes, byte[]> inner;
    private final AppliedOffsets applied;

    private PositionKeepingStore(KeyValueStore<Bytes, byte[]> inner, AppliedOffsets applied) {
        this.inner = inner;
        this.applied = applied;
    }

    /** A persistent store named {@code name} that keeps {@code applied}'s positions. */
    public static KeyValueBytesStoreSupplier supplier(String name, AppliedOffsets applied) {
        KeyValueBytesStoreSupplier rocks = Stores.persistentKeyValueStore(name);
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new PositionKeepingStore(rocks.get(), applied);
            }

            @Override
            public String metricsScope() {
                return rocks.metricsScope();
            }
        };
    }

    static Bytes positionKey(int partition) {
        return utf8(appliedOffsetKey(partition));
    }

    static byte[] positionValue(long position) {
        return ByteBuffer.allocate(Long.BYTES).putLong(position).array();
    }

    /** The positions last flushed; records after them are replayed by Streams and advance them. */
    private void loadPositions() {
        String prefix = APPLIED_OFFSET_KEY_PREFIX;
        try (KeyValueIterator<Bytes, byte[]> it = inner.range(utf8(prefix), utf8(prefix + "\uffff"))) {
            while (it.hasNext()) {
                var kv = it.next();
                String key = new String(kv.key.get(), StandardCharsets.UTF_8);
                applied.advance(Integer.parseInt(key.substring(prefix.length())), ByteBuffer.wrap(kv.value).getLong());
            }
        }
    }

    private static Bytes utf8(String s) {
        return Bytes.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void flush() {
        applied.positions().forEach((partition, position) -> inner.put(positionKey(partition), positionValue(position)));
        inner.flush();
    }

    // --- everything else as the RocksDB store does it ------------------------------------------

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
        loadPositions();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public void put(Bytes key, byte[] value) {
        requireData(key);
        inner.put(key, value);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        requireData(key);
        return inner.putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<org.apache.kafka.streams.KeyValue<Bytes, byte[]>> entries) {
        entries.forEach(e -> requireData(e.key));
        inner.putAll(entries);
    }

    @Override
    public byte[] delete(Bytes key) {
        requireData(key);
        return inner.delete(key);
    }

    // --- reads: the positions are this store's own; readers see data only ---------------------

    @Override
    public byte[] get(Bytes key) {
        return isPosition(key) ? null : inner.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return dataOnly(inner.range(from, to));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return dataOnly(inner.reverseRange(from, to));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return dataOnly(inner.all());
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return dataOnly(inner.reverseAll());
    }

    @Override
    public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(
            P prefix, PS prefixKeySerializer) {
        return dataOnly(inner.prefixScan(prefix, prefixKeySerializer));
    }

    @Override
    public long approximateNumEntries() {
        return Math.max(0, inner.approximateNumEntries() - applied.positions().size());
    }

    private static final byte[] POSITION_PREFIX = APPLIED_OFFSET_KEY_PREFIX.getBytes(StandardCharsets.UTF_8);

    private static boolean isPosition(Bytes key) {
        byte[] k = key.get();
        return k.length >= POSITION_PREFIX.length
                && Arrays.equals(k, 0, POSITION_PREFIX.length, POSITION_PREFIX, 0, POSITION_PREFIX.length);
    }

    private static void requireData(Bytes key) {
        if (isPosition(key)) {
            throw new IllegalArgumentException("keys starting with '" + APPLIED_OFFSET_KEY_PREFIX
                    + "' belong to the store's own bookkeeping");
        }
    }

    /** An iterator over {@code all} without the position entries. */
    private static KeyValueIterator<Bytes, byte[]> dataOnly(KeyValueIterator<Bytes, byte[]> all) {
        return new KeyValueIterator<>() {
            private org.apache.kafka.streams.KeyValue<Bytes, byte[]> next = advance();

            private org.apache.kafka.streams.KeyValue<Bytes, byte[]> advance() {
                while (all.hasNext()) {
                    var kv = all.next();
                    if (!isPosition(kv.key)) {
                        return kv;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public org.apache.kafka.streams.KeyValue<Bytes, byte[]> next() {
                if (next == null) {
                    throw new java.util.NoSuchElementException();
                }
                var kv = next;
                next = advance();
                return kv;
            }

            @Override
            public Bytes peekNextKey() {
                if (next == null) {
                    throw new java.util.NoSuchElementException();
                }
                return next.key;
            }

            @Override
            public void close() {
                all.close();
            }
        };
    }

    static String appliedOffsetKey(int partition) {
        return APPLIED_OFFSET_KEY_PREFIX + partition;
    }
}
