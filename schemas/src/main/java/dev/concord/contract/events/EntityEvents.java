package dev.concord.contract.events;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EventSource;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Factories for the envelope: every event of every type is built here, complete and valid. */
public final class EntityEvents {

    private EntityEvents() {
    }

    /** A full replacement of the entity by {@code writer} at {@code clock}. */
    public static EntityEvent upsert(UUID eventId, String entityType, String entityId, byte[] payload,
                                     HlcTimestamp clock, String writer, EventSource source) {
        return base(eventId, entityType, entityId, Operation.UPSERT, clock, writer, source)
                .setPayload(ByteBuffer.wrap(payload))
                .build();
    }

    /** A partial change: only {@code changedFields} of the payload are meant (field-merge types). */
    public static EntityEvent patch(UUID eventId, String entityType, String entityId, byte[] payload, List<String> changedFields,
                                    HlcTimestamp clock, String writer, EventSource source) {
        return base(eventId, entityType, entityId, Operation.PATCH, clock, writer, source)
                .setPayload(ByteBuffer.wrap(payload))
                .setChangedFields(List.copyOf(changedFields))
                .build();
    }

    /** The same event, applied only if the entity is still at {@code expectedVersion} (optimistic types). */
    public static EntityEvent expectingVersion(EntityEvent event, long expectedVersion) {
        return EntityEvent.newBuilder(event).setExpectedVersion(expectedVersion).build();
    }

    /** A delete: the processor keeps a versioned tombstone with this clock. */
    public static EntityEvent delete(UUID eventId, String entityType, String entityId,
                                     HlcTimestamp clock, String writer, EventSource source) {
        return base(eventId, entityType, entityId, Operation.DELETE, clock, writer, source).build();
    }

    public static EventSource source(String service) {
        return EventSource.newBuilder().setService(service).build();
    }

    private static EntityEvent.Builder base(UUID eventId, String entityType, String entityId, Operation op,
                                            HlcTimestamp clock, String writer, EventSource source) {
        return EntityEvent.newBuilder()
                .setEventId(eventId)
                .setEntityType(entityType)
                .setEntityId(entityId)
                .setOp(op)
                .setClock(clock.toAvro())
                .setWriter(writer)
                .setExpectedVersion(null)
                .setChangedFields(List.of())
                .setPayload(null)
                .setOccurredAt(Instant.ofEpochMilli(clock.physicalMillis()))
                .setSource(source);
    }
}
