package dev.concord.replica.store;

import dev.concord.contract.text.LogSafe;

/**
 * A record this replica could not store, with why: written to {@code replica_dead_letter} in the
 * transaction that stores its batch's offsets, so the replica goes on with later records.
 *
 * @param entityId printable form of the id (control characters escaped); the raw key is in {@code origin}
 * @param version  the state's version, or null when the value could not be decoded (or is a tombstone)
 */
public record DeadLetter(String entityType, String entityId, Long version, String reason, RecordOrigin origin) {

    public DeadLetter {
        // Text columns refuse NUL: what is stored as text is printable, the bytes keep the original.
        entityId = entityId == null ? null : LogSafe.of(entityId);
        reason = reason.replace("\u0000", "\\u0000");
    }
}
