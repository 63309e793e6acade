package dev.concord.processor.topology;

import dev.concord.contract.settings.Settings;
import java.util.Locale;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * Where a task keeps its entities' states. Both are restored from the store's log ({@code concord.state.<type>}) after
 * a crash or a move, so the guarantees are the same; what differs is memory, restart time and speed (docs/operations.md).
 */
public enum StateStoreKind {

    /**
     * RocksDB on the task's local disk (the default): any number of entities within one memory budget
     * ({@code BoundedRocksDbMemory}), and a restart finds its state on disk instead of reading the changelog again.
     */
    ROCKSDB("rocksdb"),

    /**
     * A sorted map on the heap: no JNI and no RocksDB flushes, measured up to 1.4x the exactly-once throughput on the
     * processor benchmark (docs/performance.md), but every entity of the instance's tasks lives on the heap (about its
     * state's size plus ~100 bytes) and every start reads the whole log of its tasks; for states that fit the heap
     * comfortably, ideally with standby replicas for fast fail-over.
     */
    IN_MEMORY("in-memory");

    private final String setting;

    StateStoreKind(String setting) {
        this.setting = setting;
    }

    public KeyValueBytesStoreSupplier supplier(String storeName) {
        return this == IN_MEMORY ? Stores.inMemoryKeyValueStore(storeName) : Stores.persistentKeyValueStore(storeName);
    }

    /** The kind named by {@code property} ({@code rocksdb} or {@code in-memory}), or {@code fallback} when unset. */
    static StateStoreKind from(Settings settings, String property, StateStoreKind fallback) {
        String value = settings.text(property, fallback.setting).trim().toLowerCase(Locale.ROOT);
        for (StateStoreKind kind : values()) {
            if (kind.setting.equals(value)) {
                return kind;
            }
        }
        throw settings.invalid(property, value, "rocksdb or in-memory");
    }
}
