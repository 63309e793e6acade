package dev.concord.contract.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * The durable, ordered log behind the schema catalog: the compacted {@code concord.schemas} topic
 * in production ({@link KafkaCatalogLog}), a list in unit tests.
 */
public interface CatalogLog extends AutoCloseable {

    /** Appends an entry and returns once it is durable. */
    void append(CatalogEntry entry);

    /** Entries appended since the previous call (all of them on the first call), in log order. */
    List<CatalogEntry> readNew();

    @Override
    default void close() {
    }

    /** A log held in memory, for tests and tools that need no Kafka. */
    static CatalogLog inMemory() {
        return new CatalogLog() {
            private final List<CatalogEntry> entries = new ArrayList<>();
            private int read;

            @Override
            public synchronized void append(CatalogEntry entry) {
                entries.add(entry);
            }

            @Override
            public synchronized List<CatalogEntry> readNew() {
                List<CatalogEntry> fresh = List.copyOf(entries.subList(read, entries.size()));
                read = entries.size();
                return fresh;
            }
        };
    }
}
