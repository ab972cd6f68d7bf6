package dev.drpilot.detector;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

import java.util.Locale;
import java.util.Map;

/**
 * One memory budget for all of the detector's RocksDB stores, as the Kafka Streams memory-management guide
 * recommends: a block cache shared by every store, with the memtables charged against it through one
 * {@link WriteBufferManager}. Without it each of the ~30 stores (two per rule and the rules' own) takes a
 * 50 MiB block cache and up to three 16 MiB memtables of its own, outside the heap and outside every JVM bound;
 * {@code drpilot run} measured about 340 MiB of such untracked native memory with 100 components
 * (docs/benchmarks.md, footprint).
 *
 * <p>The budget is {@value #DEFAULT_BYTES} bytes unless the system property {@value #PROPERTY} says otherwise (e.g.
 * {@code -Ddrpilot.rocksdb.memory=256m} in {@code DRPILOT_JAVA_OPTS}, beside the heap bound): memory bounds are JVM
 * options, all in one place. A quarter of it is for memtables; index and filter blocks live in the cache too, so the
 * budget bounds everything but the stores' file handles.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    public static final String PROPERTY = "drpilot.rocksdb.memory";
    static final long DEFAULT_BYTES = 64L * 1024 * 1024;
    private static final long MEMTABLE_BYTES = 4L * 1024 * 1024;
    /**
     * A memtable's first allocation is one arena block, by default an eighth of the write buffer: 512 KiB for each of the
     * ~200 store instances (33 stores times the partitions), taken as soon as a store sees its first write.
     */
    private static final long ARENA_BLOCK_BYTES = 64L * 1024;
    private static final double HIGH_PRIORITY_SHARE = 0.1;

    /** Shared by every store of the process, so created once and never closed (a store closing must not free them). */
    private static final class Shared {
        static final long BUDGET = budget(System.getProperty(PROPERTY));
        static final Cache CACHE = new LRUCache(BUDGET, -1, false, HIGH_PRIORITY_SHARE);
        static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(BUDGET / 4, CACHE);
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(Shared.CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(Shared.WRITE_BUFFERS);
        options.setWriteBufferSize(Math.min(MEMTABLE_BYTES, Shared.BUDGET / 8));
        options.setMaxWriteBufferNumber(2);
        options.setArenaBlockSize(ARENA_BLOCK_BYTES);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write-buffer manager are shared by every store: closing one store must not free them.
    }

    /** The budget as written ({@code 64m}, {@code 1g}, bytes); a value that does not parse stops the detector naming the property. */
    static long budget(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_BYTES;
        }
        String text = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = text.charAt(text.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1024L : last == 'm' ? 1024L * 1024 : 1024L * 1024 * 1024;
            text = text.substring(0, text.length() - 1);
        }
        try {
            long bytes = Long.parseLong(text) * unit;
            if (bytes < 8L * 1024 * 1024) {
                throw new NumberFormatException();
            }
            return bytes;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": expected a size of at least 8m, such as 64m or 1g");
        }
    }
}
