package org.herd.stream.store;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;

import java.util.Map;

/**
 * RocksDB settings for the herd's stores: one block cache for every store in the JVM, sized by
 * {@link #BLOCK_CACHE_BYTES} (Kafka Streams' default is 50 MiB per store). WHATSAT reads one
 * random client out of millions; with the default cache most of those reads missed and went to
 * the file system, which cost more than the rest of the query. The cache is off-heap and
 * shared, so a replay's second replica does not double it.
 */
public final class HerdRocksDb implements RocksDBConfigSetter {
    /** Streams config key (passed through to this class): the block cache size in bytes. */
    public static final String BLOCK_CACHE_BYTES = "herd.rocksdb.block.cache.bytes";
    private static final long DEFAULT_BYTES = 256L << 20;
    private static Cache shared;

    private static synchronized Cache cache(long bytes) {
        if (shared == null) {
            shared = new LRUCache(bytes, -1, false, 0.1);
        }
        return shared;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object v = configs.get(BLOCK_CACHE_BYTES);
        long bytes = v == null ? DEFAULT_BYTES : Long.parseLong(v.toString());
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache(bytes));
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the shared cache lives as long as the JVM
    }
}
