package dev.concord.replica.store;

import dev.concord.contract.clock.HlcTimestamp;
import java.time.Instant;
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

    /** A Kafka tombstone (null value): the processor's retention is over, the row goes. */
    record Removal(String type, String id) implements StateChange {
    }
}
