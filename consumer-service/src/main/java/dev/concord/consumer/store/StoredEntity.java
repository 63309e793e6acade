package dev.concord.consumer.store;

import dev.concord.contract.clock.HlcTimestamp;
import java.time.Instant;

/**
 * One row of the {@code entity} table as stored by this replica.
 *
 * @param dataJson  the payload as JSON text; null when deleted
 * @param changeSeq the replica-local change cursor at which this state was applied
 */
public record StoredEntity(String type, String id, long version, HlcTimestamp clock, String writer, boolean deleted,
                           String dataJson, Instant updatedAt, Instant appliedAt, long changeSeq) {
}
