package dev.concord.processor.runtime;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of every RocksDB store of this process together. Left alone, each store gets its
 * own block cache and memtables, so off-heap memory grows with the number of stores and partitions
 * (three stores per type per task here) until the container's limit kills the pod. Following Kafka
 * Streams' memory-management guide, all stores share one LRU block cache, which also holds the index and
 * filter blocks and is charged for the memtables through one write-buffer manager: the sum of all stores
 * stays under one budget.
 *
 * <p>The budget ({@code concord.streams.rocksdb.memory.bytes}, environment {@code CONCORD_ROCKSDB_MEMORY_BYTES}) defaults to
 * half of what the container leaves outside the Java heap: the image gives the heap half the memory
 * limit, so a 2 GiB pod has 1 GiB outside it, of which RocksDB may take 512 MiB and the JVM's own
 * off-heap needs (metaspace, threads, direct buffers) the rest.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    public static final String BUDGET_CONFIG = "rocksdb.memory.bytes";
    /** A floor, so that a tiny container still gets working stores. */
    static final long MIN_BUDGET = 32L << 20;
    /** Memtables may take this share of the budget; the rest caches blocks. */
    static final double MEMTABLE_SHARE = 0.25;
    /** Index and filter blocks are kept in the cache's high-priority pool, this share of it. */
    static final double INDEX_FILTER_SHARE = 0.1;

    private static Shared shared;

    /** The cache and write-buffer manager every store of this process uses, created once with the first budget. */
    record Shared(long budget, Cache cache, WriteBufferManager writeBufferManager) {
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Shared memory = shared(configs);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(memory.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(memory.writeBufferManager());
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write-buffer manager are shared by every store of the process: never closed per store.
    }

    /** The shared memory, created on the first store's configuration (the budget is read once). */
    static synchronized Shared shared(Map<String, Object> configs) {
        return shared != null ? shared : shared(budget(configs));
    }

    static synchronized Shared shared(long budget) {
        if (shared == null) {
            Cache cache = new LRUCache(budget, -1, false, INDEX_FILTER_SHARE);
            shared = new Shared(budget, cache, new WriteBufferManager((long) (budget * MEMTABLE_SHARE), cache));
        }
        return shared;
    }

    /** The configured budget, or half of the memory outside the heap, never under {@link #MIN_BUDGET}. */
    static long budget(Map<String, Object> configs) {
        Object configured = configs.get(BUDGET_CONFIG);
        if (configured != null && !configured.toString().isBlank()) {
            return Math.max(MIN_BUDGET, Long.parseLong(configured.toString().trim()));
        }
        long total = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return defaultBudget(total, Runtime.getRuntime().maxMemory());
    }

    static long defaultBudget(long containerBytes, long maxHeapBytes) {
        return Math.max(MIN_BUDGET, (containerBytes - maxHeapBytes) / 2);
    }
}
