package org.herd.stream;

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
import java.util.List;

/**
 * A RocksDB store that keeps how far its topic has been applied inside itself: it loads those
 * positions into its {@link AppliedOffsets} when it opens, and writes them once per flush, just
 * before the data is flushed. Kafka Streams flushes a global store before it writes the
 * checkpoint it resumes from, and a RocksDB store without a write-ahead log always comes back as a
 * prefix of its writes, so after any restart the stored positions are at least the checkpoint and
 * never ahead of the data: Streams replays from the checkpoint, and the positions count every
 * record before it as applied. (The processors used to write the position with every record: two
 * RocksDB writes per update instead of one.)
 *
 * <p>Relies on Kafka Streams writing the global checkpoint only after flushing the global stores:
 * in 4.1 the checkpoint file is written only by {@code GlobalStateUpdateTask.flushState()}, which
 * flushes first (after restoring, periodically, and on close). Check this when upgrading Streams.
 */
final class PositionKeepingStore implements KeyValueStore<Bytes, byte[]> {
    private final KeyValueStore<Bytes, byte[]> inner;
    private final AppliedOffsets applied;

    private PositionKeepingStore(KeyValueStore<Bytes, byte[]> inner, AppliedOffsets applied) {
        this.inner = inner;
        this.applied = applied;
    }

    /** A persistent store named {@code name} that keeps {@code applied}'s positions. */
    static KeyValueBytesStoreSupplier supplier(String name, AppliedOffsets applied) {
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
        return utf8(Topics.appliedOffsetKey(partition));
    }

    static byte[] positionValue(long position) {
        return ByteBuffer.allocate(Long.BYTES).putLong(position).array();
    }

    /** The positions last flushed; records after them are replayed by Streams and advance them. */
    private void loadPositions() {
        String prefix = Topics.APPLIED_OFFSET_KEY_PREFIX;
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
        inner.put(key, value);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        return inner.putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<org.apache.kafka.streams.KeyValue<Bytes, byte[]>> entries) {
        inner.putAll(entries);
    }

    @Override
    public byte[] delete(Bytes key) {
        return inner.delete(key);
    }

    @Override
    public byte[] get(Bytes key) {
        return inner.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return inner.all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return inner.reverseAll();
    }

    @Override
    public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(
            P prefix, PS prefixKeySerializer) {
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }
}
