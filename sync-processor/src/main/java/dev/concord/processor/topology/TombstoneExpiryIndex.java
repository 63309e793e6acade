package dev.concord.processor.topology;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deleted entities in the order their tombstones were written, so that expiry reads only what is due
 * instead of scanning every state. Key: the tombstone's {@code updatedAt} as 20 zero-padded digits,
 * then {@code /} and the entity id (byte order = time order); value: the entity id.
 *
 * <p>An entry is written once per accepted delete (deletes only, so about one small changelog write
 * per delete) and never updated: when the entity comes back or is deleted again, the old entry goes
 * stale and is dropped when its time comes, after the caller checked it against the state.
 */
final class TombstoneExpiryIndex {

    /**
     * Present once the index holds every tombstone of its partition: stores written before the index
     * existed get one full scan (see {@link #backfillIfNeeded}). Sorts after every entry ('~' &gt; digits).
     */
    private static final String COMPLETE = "~complete";

    private final KeyValueStore<String, String> entries;

    TombstoneExpiryIndex(KeyValueStore<String, String> entries) {
        this.entries = entries;
    }

    void add(long deletedAtMillis, String entityId) {
        entries.put(key(deletedAtMillis, entityId), entityId);
    }

    /** Indexes every deleted state of {@code states}, once per store: what upgrades a store from before the index. */
    void backfillIfNeeded(EntityStateStore states) {
        if (entries.get(COMPLETE) != null) {
            return;
        }
        states.forEach(state -> {
            if (state.value.getDeleted()) {
                add(state.value.getUpdatedAt().toEpochMilli(), state.key);
            }
        });
        entries.put(COMPLETE, COMPLETE);
    }

    /** Removes and returns the entries written before {@code cutoffMillis}, oldest first: (deletedAt, entity id). */
    List<KeyValue<Long, String>> takeBefore(long cutoffMillis) {
        List<KeyValue<Long, String>> due = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        // Ids are never empty, so the key of (cutoff, "") sorts after every entry before the cutoff and
        // before every entry at it.
        try (KeyValueIterator<String, String> range = entries.range(null, key(cutoffMillis, ""))) {
            while (range.hasNext()) {
                KeyValue<String, String> entry = range.next();
                keys.add(entry.key);
                due.add(KeyValue.pair(Long.parseLong(entry.key.substring(0, 20)), entry.value));
            }
        }
        keys.forEach(entries::delete);
        return due;
    }

    static String key(long millis, String entityId) {
        String digits = Long.toString(millis);
        return "0".repeat(20 - digits.length()) + digits + "/" + entityId;
    }
}
