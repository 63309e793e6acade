package dev.concord.producer.outbox;

import java.util.List;
import java.util.UUID;

/** One row of {@code concord_outbox} as a relay claimed it (the columns of {@code db/concord-outbox/V1__concord_outbox.sql}). */
record OutboxRow(long seq, UUID eventId, String type, String entityId, String op, String payload,
                 List<String> changedFields, Long expectedVersion, long clockMillis, long txId) {
}
