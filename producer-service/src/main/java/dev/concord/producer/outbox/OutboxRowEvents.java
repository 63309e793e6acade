package dev.concord.producer.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EventSource;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.types.EntityTypes;
import dev.concord.producer.source.RowMapping;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.StrictJsonReader;
import java.io.IOException;
import java.util.HashSet;

/**
 * An outbox row as the write it stands for, made into an event as every write is ({@link EventFactory}). The
 * event id and clock come from the row, so every relay and every retry publishes the same event.
 */
final class OutboxRowEvents {

    static final String SERVICE_NAME = "outbox-relay";

    private static final ObjectMapper JSON = StrictJsonReader.boundedMapper(false);

    private final EventFactory events;
    private final EntityTypes types;
    private final String writerId;

    OutboxRowEvents(EventFactory events, EntityTypes types, String writerId) {
        this.events = events;
        this.types = types;
        this.writerId = writerId;
    }

    /**
     * @throws dev.concord.producer.write.RefusedException the refusal an HTTP client would get for the same write
     * @throws IllegalArgumentException                    a row that is not a write at all (unknown op, payload not JSON)
     */
    EntityEvent toEvent(OutboxRow row) {
        Operation op = operation(row.op());
        ObjectNode body = op == Operation.DELETE ? null : entityJson(row);
        EventFactory.Prepared prepared = events.prepare(new EventFactory.Write(op, row.type(), row.entityId(), body,
                row.changedFields(), row.expectedVersion(), "payload", "expected_version"));
        // The database's clock at append, with seq as the logical part: the same for every relay and every retry.
        HlcTimestamp clock = new HlcTimestamp(row.clockMillis(), (int) (row.seq() & Integer.MAX_VALUE));
        EventSource source = EventSource.newBuilder(EntityEvents.source(SERVICE_NAME))
                .setTransactionId(Long.toString(row.txId()))
                .setPosition("concord_outbox.seq=" + row.seq())
                .build();
        return events.event(prepared, row.eventId(), clock, writerId, source);
    }

    private static Operation operation(String op) {
        try {
            return Operation.valueOf(op);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("op '" + op + "' is not one of UPSERT, PATCH, DELETE", e);
        }
    }

    /**
     * The row's payload as the entity's fields: a JSON object whose keys may be column names (snake_case) of the
     * application's table, mapped to the type's fields; left as it is for an undeclared type, which the factory refuses.
     */
    private ObjectNode entityJson(OutboxRow row) {
        JsonNode payload;
        try {
            payload = row.payload() == null ? null : JSON.readTree(row.payload());
        } catch (IOException e) {
            throw new IllegalArgumentException("payload is not JSON: " + e.getMessage(), e);
        }
        if (payload == null) {
            return null;
        }
        if (!(payload instanceof ObjectNode object)) {
            throw new IllegalArgumentException("payload must be a JSON object for " + row.op());
        }
        return types.find(row.type())
                .map(type -> RowMapping.toEntity(object, type.schema(), false, new HashSet<>()))
                .orElse(object);
    }
}
