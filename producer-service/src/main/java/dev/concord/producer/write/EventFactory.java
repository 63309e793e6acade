package dev.concord.producer.write;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EventSource;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.json.JsonToAvro;
import dev.concord.contract.json.PayloadValidationException;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;

/**
 * The one way from a write to an {@link EntityEvent}, whichever door it came through (the HTTP API, the
 * transactional outbox, change data capture): the same checks, in the same order, with the same refusals.
 * A door turns what it received into a {@link Write} (its own parsing: a request body, an outbox row, a
 * captured row), then {@link #prepare} validates it and {@link #event} stamps it with the door's event id,
 * clock, writer and source.
 *
 * <p>Refusals are {@link RefusedException}s: the HTTP API answers them as problem+json, the outbox moves
 * the row to {@code concord_outbox_dead} with the problem's detail, CDC skips the change and logs it.
 */
@Singleton
public class EventFactory {

    private final ConcordContract contract;
    private final PayloadLimits limits;

    public EventFactory(ConcordContract contract, PayloadLimits limits) {
        this.contract = contract;
        this.limits = limits;
    }

    /**
     * A write as a door received it, not yet validated.
     *
     * @param body            the entity's fields (UPSERT) or the merge patch (PATCH) as a JSON object; null for DELETE
     * @param changedFields   for PATCH, the fields it names when the door says so (an outbox row's
     *                        {@code changed_fields}); null: the patch's own members
     * @param expectedVersion the version an optimistic write expects, or null
     * @param bodyField       how the door names the body in a refusal: {@code (body)}, {@code payload}, {@code after}
     * @param versionField    how the door names the expected version: {@code If-Match}, {@code ifMatch}, {@code expected_version}
     */
    public record Write(Operation op, String type, String entityId, ObjectNode body, List<String> changedFields,
                        Long expectedVersion, String bodyField, String versionField) {
    }

    /** A validated write: its type, its encoded payload (null for DELETE), and the fields a PATCH changes. */
    public record Prepared(Write write, EntityType type, byte[] payload, List<String> changedFields) {
    }

    /**
     * The write's address: a declared type (404 otherwise) and a valid id. The first check of {@link #prepare};
     * a door that authorises per type runs it before, so a refused grant says nothing about the body.
     */
    public EntityType requireAddress(String typeName, String entityId) {
        EntityType type = contract.types().find(typeName)
                .orElseThrow(() -> new UnknownEntityTypeException(typeName, contract.types().names()));
        InvalidEntityIdException.requireValid(entityId);
        return type;
    }

    /** @throws RefusedException for the first rule the write breaks; nothing is sent then */
    public Prepared prepare(Write write) {
        return prepare(requireAddress(write.type(), write.entityId()), write);
    }

    /** The rest of {@link #prepare(Write)}, for a door that has checked the address already ({@link #requireAddress}). */
    public Prepared prepare(EntityType type, Write write) {
        if (write.expectedVersion() != null && type.policy() != MergePolicy.OPTIMISTIC) {
            throw RequestRefused.versionCheckNotSupported(type.name(), type.policy().id(), write.versionField());
        }
        switch (write.op()) {
            case UPSERT: {
                ObjectNode body = requireBody(type, write);
                GenericRecord record = toRecord(type, body);
                return new Prepared(write, type, encode(type, record, write), List.of());
            }
            case PATCH: {
                if (type.policy() != MergePolicy.FIELD_MERGE) {
                    throw RequestRefused.patchNotSupported(type.name(), type.policy().id());
                }
                MergePatches.Patch patch = MergePatches.toPatch(type, requireBody(type, write));
                List<String> changed = patch.changedFields();
                if (write.changedFields() != null) {
                    if (!new HashSet<>(changed).containsAll(write.changedFields())) {
                        throw RequestRefused.invalidWrite("changed_fields", "fields the patch sets, of " + changed,
                                String.valueOf(write.changedFields()));
                    }
                    changed = List.copyOf(write.changedFields());
                }
                return new Prepared(write, type, encode(type, patch.record(), write), changed);
            }
            case DELETE:
                return new Prepared(write, type, null, List.of());
            default:
                throw new IllegalStateException("unknown operation " + write.op());
        }
    }

    /** The event of a prepared write, as the door stamps it. */
    public EntityEvent event(Prepared prepared, UUID eventId, HlcTimestamp clock, String writer, EventSource source) {
        Write write = prepared.write();
        String type = prepared.type().name();
        EntityEvent event = switch (write.op()) {
            case UPSERT -> EntityEvents.upsert(eventId, type, write.entityId(), prepared.payload(), clock, writer, source);
            case PATCH -> EntityEvents.patch(eventId, type, write.entityId(), prepared.payload(), prepared.changedFields(),
                    clock, writer, source);
            case DELETE -> EntityEvents.delete(eventId, type, write.entityId(), clock, writer, source);
        };
        return write.expectedVersion() == null ? event : EntityEvents.expectingVersion(event, write.expectedVersion());
    }

    /** A JSON object holding only text PostgreSQL can store. */
    private static ObjectNode requireBody(EntityType type, Write write) {
        if (write.body() == null) {
            throw RequestRefused.invalidWrite(write.bodyField(), "a JSON object with the entity's fields", "nothing");
        }
        StorableText.requireStorable(type.name(), write.body());
        return write.body();
    }

    private static GenericRecord toRecord(EntityType type, ObjectNode json) {
        try {
            return JsonToAvro.convert(json, type.schema());
        } catch (PayloadValidationException e) {
            throw new InvalidPayloadException(type.name(), e);
        }
    }

    /** The payload as published, refused when the processor could not carry it (413). */
    private byte[] encode(EntityType type, GenericRecord record, Write write) {
        byte[] payload = contract.payloads().encode(record);
        limits.requireFits(type, record, payload, write.bodyField());
        return payload;
    }
}
