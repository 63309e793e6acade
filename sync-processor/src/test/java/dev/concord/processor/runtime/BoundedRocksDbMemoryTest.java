package dev.concord.processor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.concord.processor.metrics.SyncMetrics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Every store shares one bounded budget; the default follows the container's memory outside the heap. */
class BoundedRocksDbMemoryTest {

    @Test
    void shouldGiveEveryStoreTheSameCacheAndWriteBufferManager() {
        RocksDB.loadLibrary();
        BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
        try (Options first = withTable(); Options second = withTable()) {
            setter.setConfig("state.customer", first, Map.of(BoundedRocksDbMemory.BUDGET_CONFIG, String.valueOf(64L << 20)));
            setter.setConfig("state.order", second, Map.of(BoundedRocksDbMemory.BUDGET_CONFIG, String.valueOf(64L << 20)));

            BoundedRocksDbMemory.Shared shared = BoundedRocksDbMemory.shared(64L << 20);
            assertThat(first.writeBufferManager()).isSameAs(shared.writeBufferManager());
            assertThat(second.writeBufferManager()).isSameAs(shared.writeBufferManager());
            assertThat(((BlockBasedTableConfig) first.tableFormatConfig()).cacheIndexAndFilterBlocks()).isTrue();
        }
    }

    @Test
    void shouldTakeHalfOfWhatTheHeapLeavesOfTheContainerAndNeverLessThanTheFloor() {
        long gib = 1L << 30;
        // A 2 GiB pod whose heap takes half: 512 MiB for RocksDB.
        assertThat(BoundedRocksDbMemory.defaultBudget(2 * gib, gib)).isEqualTo(512L << 20);
        assertThat(BoundedRocksDbMemory.defaultBudget(gib, gib)).isEqualTo(BoundedRocksDbMemory.MIN_BUDGET);
        assertThat(BoundedRocksDbMemory.budget(Map.of(BoundedRocksDbMemory.BUDGET_CONFIG, "1000"))).isEqualTo(BoundedRocksDbMemory.MIN_BUDGET);
        assertThat(BoundedRocksDbMemory.budget(Map.of(BoundedRocksDbMemory.BUDGET_CONFIG, String.valueOf(gib)))).isEqualTo(gib);
        // Unset in configuration (an empty environment variable): the default, at least the floor.
        assertThat(BoundedRocksDbMemory.budget(Map.of(BoundedRocksDbMemory.BUDGET_CONFIG, ""))).isGreaterThanOrEqualTo(BoundedRocksDbMemory.MIN_BUDGET);
    }

    @Test
    void shouldBeTheProcessorsRocksDbConfiguration() {
        Properties settings = StreamsSettings.of(Map.of("bootstrap.servers", "unused:9092"), Map.of(), SyncMetrics.NONE);
        assertThat(settings.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo(BoundedRocksDbMemory.class);
    }

    private static Options withTable() {
        Options options = new Options();
        options.setTableFormatConfig(new BlockBasedTableConfig());
        return options;
    }
}
