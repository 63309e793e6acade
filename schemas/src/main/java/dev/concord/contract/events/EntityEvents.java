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
