package io.fugou.analytics.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of all this instance's RocksDB stores together (Kafka Streams' documented pattern): one block cache
 * shared by every store, which also holds their index and filter blocks, and memtables counted against it. Without it each
 * store has its own 50 MiB cache and up to three 16 MiB memtables, none of it on the heap, so a pod's memory grows with the
 * number of partitions and standbys it holds rather than with its limit. Set by {@code fugou.analytics.rocksdb-memory}.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    /** The Streams config key carrying the bound, in bytes. */
    public static final String TOTAL_BYTES = "fugou.analytics.rocksdb.total-bytes";
    /** The share of the bound memtables may take; the rest caches blocks. */
    private static final double MEMTABLE_SHARE = 0.5;
    /** The share of the cache kept for index and filter blocks, so data blocks cannot push them out. */
    private static final double INDEX_AND_FILTER_SHARE = 0.1;

    /** Shared by every store of the JVM, so created once and never closed by a store. */
    private static Cache cache;
    private static WriteBufferManager writeBuffers;
    private static long bound;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long total = Long.parseLong(String.valueOf(configs.get(TOTAL_BYTES)));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        synchronized (BoundedRocksDbMemory.class) {
            if (cache == null) {
                bound = total;
                cache = new LRUCache(total, -1, false, INDEX_AND_FILTER_SHARE);
                writeBuffers = new WriteBufferManager((long) (total * MEMTABLE_SHARE), cache);
            } else if (bound != total) {
                throw new IllegalStateException("one RocksDB memory bound per JVM: " + bound + " bytes already, not " + total);
            }
            table.setBlockCache(cache);
            options.setWriteBufferManager(writeBuffers);
        }
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are every store's: they live as long as the JVM.
    }
}
