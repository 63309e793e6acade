package dev.concord.processor.merge;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.FieldStamp;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.serde.PayloadCodec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Field-level last-writer-wins: every top-level field is its own register, won by the write with
 * the greatest (clock, writer) that touched it. UPSERT touches every field, PATCH only its
 * {@code changedFields}, DELETE writes "absent" to every field. So concurrent edits of different
 * fields both survive, and the result is the same in any arrival order (each register converges on
 * its own). The entity is deleted when no field holds a value; an absent field materialises as
 * its default (see {@link AbsentValues}). A later write to any field brings the entity back, with
 * the other fields absent.
 *
 * <p>The state's clock and writer are those of the greatest write applied, and {@code lastEventId}
 * that write's id: also order-independent.
 */
public final class FieldMerge implements MergeRule {

    public static final String RULE = "field-merge";

    private final Schema schema;
    private final PayloadCodec payloads;
    private final List<String> allFields;
    // Every field absent: computed once (defaults are deep-copied from the schema), then shallow-copied per
    // new entity. Sharing the field values is safe: merging replaces whole fields and never changes a value.
    private final GenericData.Record absent;

    public FieldMerge(Schema schema, PayloadCodec payloads) {
        this.schema = schema;
        this.payloads = payloads;
        this.allFields = schema.getFields().stream().map(Schema.Field::name).toList();
        this.absent = new GenericData.Record(schema);
        schema.getFields().forEach(f -> absent.put(f.pos(), AbsentValues.of(f)));
    }

    @Override
    public MergeDecision decide(EntityState current, EntityEvent event, GenericRecord payload, long nowMillis) {
        if (current != null && event.getEventId().equals(current.getLastEventId())) {
            return new MergeDecision.Duplicate();
        }
        List<String> touched = touchedFields(event);
        if (event.getOp() == Operation.PATCH) {
            List<String> unknown = touched.stream().filter(f -> schema.getField(f) == null).toList();
            if (!unknown.isEmpty()) {
                return new MergeDecision.Refused(RejectionReason.INVALID_PATCH,
                        "changedFields " + unknown + " are not fields of " + schema.getName());
            }
        }
        WriteOrder order = WriteOrder.of(event);
        if (event.getOp() == Operation.UPSERT && event.getPayload() != null && supersedesEveryField(current, order)
                && payloads.isWrittenWith(event.getPayload(), schema)) {
            // The write wins every register: the merged record is the event's own, and its bytes as the writer sent them
            // are the state's payload. Neither the current payload nor the merged one is decoded or encoded (the common
            // case: no concurrent writer). Which writes take this path depends only on the set of writes, not on their
            // order, so the state's bytes do not either (ConvergencePropertiesTest).
            Map<String, FieldStamp> stamps = current == null ? new TreeMap<>() : new TreeMap<>(current.getFieldStamps());
            FieldStamp stamp = new FieldStamp(event.getClock(), event.getWriter(), true);
            allFields.forEach(field -> stamps.put(field, stamp));
            return new MergeDecision.Accepted(nextState(current, event, stamps, event::getPayload, nowMillis), Optional.empty());
        }
        // A state without payload (e.g. a tombstone written under another policy) holds no values.
        GenericRecord merged = current == null || current.getPayload() == null
                ? new GenericData.Record(absent, false) : payloads.decode(current.getPayload(), schema);
        // Sorted, so equal states also serialize to equal bytes.
        Map<String, FieldStamp> stamps = current == null ? new TreeMap<>() : new TreeMap<>(current.getFieldStamps());
        GenericRecord incoming = event.getOp() == Operation.DELETE ? null
                : payload != null ? payload : payloads.decode(event.getPayload(), schema);

        List<String> won = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        WriteOrder strongestLoser = null;
        for (String field : touched) {
            FieldStamp stamp = stamps.get(field);
            WriteOrder held = stamp == null ? null : WriteOrder.of(stamp);
            if (held == null || order.supersedes(held)) {
                Schema.Field f = schema.getField(field);
                merged.put(f.pos(), incoming == null ? absent.get(f.pos()) : incoming.get(f.pos()));
                stamps.put(field, new FieldStamp(event.getClock(), event.getWriter(), incoming != null));
                won.add(field);
            } else if (order.compareTo(held) < 0) {
                lost.add(field);
                strongestLoser = strongestLoser == null || held.supersedes(strongestLoser) ? held : strongestLoser;
            }
            // equal order: this very write is already in the register (a replay); neither won nor lost
        }
        if (won.isEmpty()) {
            return lost.isEmpty() ? new MergeDecision.Duplicate()
                    : new MergeDecision.Discarded(current, new MergeDecision.Loss(lost, WriteRefs.of(strongestLoser)));
        }
        EntityState next = nextState(current, event, stamps, () -> ByteBuffer.wrap(payloads.encode(merged)), nowMillis);
        Optional<MergeDecision.Loss> partialLoss = lost.isEmpty() ? Optional.empty()
                : Optional.of(new MergeDecision.Loss(lost, WriteRefs.of(strongestLoser)));
        return new MergeDecision.Accepted(next, partialLoss);
    }

    private List<String> touchedFields(EntityEvent event) {
        return event.getOp() == Operation.PATCH ? List.copyOf(event.getChangedFields()) : allFields;
    }

    /** Whether every field's register holds a write older than {@code order} (or none). */
    private boolean supersedesEveryField(EntityState current, WriteOrder order) {
        if (current == null) {
            return true;
        }
        Map<String, FieldStamp> stamps = current.getFieldStamps();
        for (String field : allFields) {
            FieldStamp stamp = stamps.get(field);
            if (stamp != null && !order.supersedes(WriteOrder.of(stamp))) {
                return false;
            }
        }
        return true;
    }

    /** @param payload the merged record's bytes, asked for only when some field holds a value */
    private EntityState nextState(EntityState current, EntityEvent event, Map<String, FieldStamp> stamps,
                                  Supplier<ByteBuffer> payload, long nowMillis) {
        boolean newest = current == null || WriteOrder.of(event).supersedes(WriteOrder.of(current));
        boolean deleted = true;
        for (FieldStamp stamp : stamps.values()) {
            deleted &= !stamp.getPresent();
        }
        return EntityState.newBuilder()
                .setEntityType(event.getEntityType())
                .setEntityId(event.getEntityId())
                .setVersion(current == null ? 1 : current.getVersion() + 1)
                .setClock(newest ? event.getClock() : current.getClock())
                .setWriter(newest ? event.getWriter() : current.getWriter())
                .setLastEventId(newest ? event.getEventId() : current.getLastEventId())
                .setDeleted(deleted)
                // None when deleted: every field then holds its absent value, which is what decide() reads a missing
                // payload as, so the stored and published state need not carry it.
                .setPayload(deleted ? null : payload.get())
                .setFieldStamps(stamps)
                .setUpdatedAt(Instant.ofEpochMilli(nowMillis))
                .setRecentEventIds(NO_EVENT_IDS) // the processor fills them in; set, so build() copies no default
                .build();
    }
}
