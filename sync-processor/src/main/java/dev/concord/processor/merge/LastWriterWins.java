package dev.concord.processor.merge;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.avro.RejectionReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Record-level last-writer-wins: an event replaces the state iff its (clock, writer) is greater
 * than the state's. A DELETE that wins leaves a versioned tombstone carrying its clock, so an
 * older update arriving late loses to it like to any newer write and cannot resurrect the entity.
 * A write newer than the tombstone does bring the entity back (delete is just another write).
 */
public final class LastWriterWins implements MergeRule {

    public static final String RULE = "last-writer-wins";

    private final List<String> fieldNames;

    public LastWriterWins(Schema schema) {
        this.fieldNames = schema.getFields().stream().map(Schema.Field::name).toList();
    }

    @Override
    public MergeDecision decide(EntityState current, EntityEvent event, GenericRecord payload, long nowMillis) {
        // Whole records: the encoded payload is kept as it came, the decoded one is not needed.
        if (event.getOp() == Operation.PATCH) {
            return new MergeDecision.Refused(RejectionReason.PATCH_NOT_SUPPORTED,
                    "last-writer-wins replaces whole records; send an UPSERT, or declare the type field-merge");
        }
        if (current == null) {
            return MergeDecision.Accepted.whole(stateFrom(event, 1, nowMillis));
        }
        if (event.getEventId().equals(current.getLastEventId())) {
            return new MergeDecision.Duplicate();
        }
        if (WriteOrder.of(event).supersedes(WriteOrder.of(current))) {
            return MergeDecision.Accepted.whole(stateFrom(event, current.getVersion() + 1, nowMillis));
        }
        return new MergeDecision.Discarded(current, new MergeDecision.Loss(fieldNames, WriteRefs.of(current)));
    }

    /** The state an event leaves behind when it wins outright, at the given version. */
    static EntityState stateFrom(EntityEvent event, long version, long nowMillis) {
        boolean deleted = event.getOp() == Operation.DELETE;
        return EntityState.newBuilder()
                .setEntityType(event.getEntityType())
                .setEntityId(event.getEntityId())
                .setVersion(version)
                .setClock(event.getClock())
                .setWriter(event.getWriter())
                .setDeleted(deleted)
                .setPayload(deleted ? null : event.getPayload())
                .setFieldStamps(Map.of())
                .setLastEventId(event.getEventId())
                .setUpdatedAt(Instant.ofEpochMilli(nowMillis))
                .setRecentEventIds(MergeRule.NO_EVENT_IDS) // the processor fills them in; set, so build() copies no default
                .build();
    }
}
