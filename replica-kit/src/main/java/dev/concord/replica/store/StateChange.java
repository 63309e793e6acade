package dev.concord.replica.store;

import dev.concord.contract.clock.HlcTimestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/** One change to apply to the store, decoded from one record of a state topic. */
public sealed interface StateChange {

    String type();

    String id();

    /**
     * A state from the processor: stored if its version is greater than the stored one.
     *
     * @param payload the entity, decoded with the replica's reader schema (the declared one); null for a versioned
     *                tombstone ({@code deleted})
     */
    record Upsert(String type, String id, long version, HlcTimestamp clock, String writer,
                  boolean deleted, GenericRecord payload, Instant updatedAt) implements StateChange {
    }

    /**
     * The changes cut into consecutive runs of upserts and of removals, in order: what a store writes as one
     * statement each (the first change of a run tells its kind).
     */
    static List<List<StateChange>> runs(List<StateChange> changes) {
        List<List<StateChange>> runs = new java.util.ArrayList<>();
        int from = 0;
        while (from < changes.size()) {
            boolean upserts = changes.get(from) instanceof Upsert;
            int to = from;
            while (to < changes.size() && (changes.get(to) instanceof Upsert) == upserts) {
                to++;
            }
            runs.add(changes.subList(from, to));
            from = to;
        }
        return runs;
    }

    /**
     * The newest upsert of each entity in a run of upserts, in first-seen order: one per key, as a statement with
     * {@code ON CONFLICT DO UPDATE} needs (it may touch a row only once).
     */
    static Collection<Upsert> newestPerEntity(List<StateChange> upserts) {
        Map<List<String>, Upsert> newest = new LinkedHashMap<>();
        for (StateChange change : upserts) {
            Upsert upsert = (Upsert) change;
            newest.merge(List.of(upsert.type(), upsert.id()), upsert, (kept, next) -> next.version() > kept.version() ? next : kept);
        }
        return newest.values();
    }

    /** A Kafka tombstone (null value): the processor's retention is over, the row goes. */
    record Removal(String type, String id) implements StateChange {
    }
}
