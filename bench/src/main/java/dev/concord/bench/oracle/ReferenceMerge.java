package dev.concord.bench.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.MergePolicy;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * A deliberately simple second implementation of Concord's merge rules, written from
 * docs/conflict-resolution.md alone and sharing no code with sync-processor, so that a bug in a
 * production rule shows up as a disagreement instead of being copied into the truth. It trades every
 * optimisation for obviousness: the state of an entity is a map of field registers (value, clock,
 * writer) plus a version; events are applied one by one in log order.
 *
 * <p>What the document says, rule by rule:
 * <ul>
 *   <li>writes are ordered by (clock physical, clock logical, writer);</li>
 *   <li>last-writer-wins: an UPSERT or DELETE replaces everything iff it is greater than the state's
 *       write; PATCH is refused;</li>
 *   <li>field-merge: each top-level field is a register; UPSERT writes all, PATCH its changed fields,
 *       DELETE writes "absent" to all; a field is taken iff the write is greater than its register;
 *       the entity is deleted when no field holds a value; an absent field reads as its schema
 *       default, or its type's zero value; the entity's clock/writer is the greatest write applied;</li>
 *   <li>optimistic: with an expected version the event applies iff the entity is at exactly that
 *       version (0 = never written), whatever its clock; without one it is a last-writer-wins write;</li>
 *   <li>every applied event adds one to the version;</li>
 *   <li>an event whose id is among the last {@value #RECENT_IDS} ids decided for an existing entity
 *       (applied, lost or refused) is a duplicate and changes nothing. Ordering alone would not be
 *       enough: an optimistic write may lower the entity's clock, after which a redelivered older
 *       write would look new. An entity that does not exist yet remembers nothing;</li>
 *   <li>an event with the id of the entity's last applied event is a duplicate too, whatever its clock (a retry that
 *       was given a new clock), and so is a field-merge event that neither wins nor loses a field (each field it
 *       writes already holds this very write); such duplicates are not remembered among the decided ids.</li>
 * </ul>
 * Clock-guard refusals and poison records are outside its scope: feed it only accepted events.
 */
public final class ReferenceMerge {

    /** What an entity must look like: its data as JSON (null when deleted). */
    public record Expected(long version, boolean deleted, long physical, int logical, String writer, JsonNode data) {
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final com.fasterxml.jackson.databind.ObjectMapper DEFAULTS = new com.fasterxml.jackson.databind.ObjectMapper();

    private final EntityType type;
    private final PayloadCodec payloads;
    /** How many recent event ids an entity remembers (the documented default, CONCORD_RECENT_EVENT_IDS). */
    public static final int RECENT_IDS = 8;

    private final Map<String, Entity> entities = new HashMap<>();

    public ReferenceMerge(EntityType type, PayloadCodec payloads) {
        this.type = type;
        this.payloads = payloads;
    }

    /** Applies the events of one log, in order. */
    public ReferenceMerge applyAll(List<EntityEvent> events) {
        events.forEach(this::apply);
        return this;
    }

    public void apply(EntityEvent event) {
        Entity entity = entities.computeIfAbsent(event.getEntityId(), id -> new Entity());
        boolean existed = entity.version > 0;
        if (entity.recent.contains(event.getEventId())) {
            return;
        }
        if (existed && event.getEventId().equals(entity.lastApplied)) {
            return;
        }
        Write write = new Write(event.getClock().getPhysicalMillis(), event.getClock().getLogical(), event.getWriter());
        if (type.policy() == MergePolicy.FIELD_MERGE && existed && !refusedPatch(event) && neitherWinsNorLoses(entity, event, write)) {
            return;
        }
        boolean refused = event.getOp() == Operation.PATCH && type.policy() != MergePolicy.FIELD_MERGE
                || type.policy() == MergePolicy.OPTIMISTIC && event.getExpectedVersion() != null
                && entity.version != event.getExpectedVersion();
        boolean applied = !refused && switch (type.policy()) {
            case LAST_WRITER_WINS -> replaceIfGreater(entity, event, write);
            case FIELD_MERGE -> mergeFields(entity, event, write);
            case OPTIMISTIC -> event.getExpectedVersion() != null ? replace(entity, event, write) : replaceIfGreater(entity, event, write);
        };
        if (applied) {
            entity.version++;
            entity.lastApplied = event.getEventId();
        }
        if (applied || existed) {
            entity.remember(event.getEventId());
        }
    }

    /** Every entity some applied event touched, as it must be in every copy. */
    public Map<String, Expected> expected() {
        Map<String, Expected> result = new HashMap<>();
        entities.forEach((id, entity) -> {
            if (entity.version > 0) {
                result.put(id, entity.expected(type.schema()));
            }
        });
        return result;
    }

    private boolean replaceIfGreater(Entity entity, EntityEvent event, Write write) {
        return (entity.write == null || write.greaterThan(entity.write)) && replace(entity, event, write);
    }

    private boolean replace(Entity entity, EntityEvent event, Write write) {
        entity.write = write;
        entity.fields.clear();
        if (event.getOp() == Operation.DELETE) {
            entity.deleted = true;
        } else {
            entity.deleted = false;
            JsonNode values = AvroToJson.toJson(decode(event.getPayload()));
            for (Schema.Field field : type.schema().getFields()) {
                entity.fields.put(field.name(), new Register(values.get(field.name()), write));
            }
        }
        return true;
    }

    private boolean refusedPatch(EntityEvent event) {
        return event.getOp() == Operation.PATCH && type.policy() != MergePolicy.FIELD_MERGE;
    }

    /** Every field the event writes is held by a write of the same order: it is already in (a replay). */
    private boolean neitherWinsNorLoses(Entity entity, EntityEvent event, Write write) {
        for (Schema.Field field : type.schema().getFields()) {
            boolean written = event.getOp() != Operation.PATCH || event.getChangedFields().contains(field.name());
            Register current = entity.fields.get(field.name());
            if (written && (current == null || !current.write.equals(write))) {
                return false;
            }
        }
        return true;
    }

    private boolean mergeFields(Entity entity, EntityEvent event, Write write) {
        JsonNode values = event.getOp() == Operation.DELETE ? null : AvroToJson.toJson(decode(event.getPayload()));
        boolean any = false;
        for (Schema.Field field : type.schema().getFields()) {
            boolean written = event.getOp() != Operation.PATCH || event.getChangedFields().contains(field.name());
            Register current = entity.fields.get(field.name());
            if (written && (current == null || write.greaterThan(current.write))) {
                entity.fields.put(field.name(), new Register(values == null ? null : values.get(field.name()), write));
                any = true;
            }
        }
        if (any) {
            entity.write = entity.write == null || write.greaterThan(entity.write) ? write : entity.write;
            entity.deleted = entity.fields.values().stream().allMatch(register -> register.value == null);
        }
        return any;
    }

    private GenericRecord decode(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return payloads.decode(bytes, type.schema());
    }

    /** A write's place in the total order. */
    private record Write(long physical, int logical, String writer) {
        boolean greaterThan(Write other) {
            if (physical != other.physical) {
                return physical > other.physical;
            }
            if (logical != other.logical) {
                return logical > other.logical;
            }
            return writer.compareTo(other.writer) > 0;
        }
    }

    /** A field's value (null = absent) and the write that set it. */
    private record Register(JsonNode value, Write write) {
    }

    private static final class Entity {
        final Map<String, Register> fields = new HashMap<>();
        final java.util.LinkedList<Object> recent = new java.util.LinkedList<>();
        Object lastApplied;
        Write write;
        boolean deleted;
        long version;

        void remember(Object eventId) {
            recent.addFirst(eventId);
            if (recent.size() > RECENT_IDS) {
                recent.removeLast();
            }
        }

        Expected expected(Schema schema) {
            if (deleted) {
                return new Expected(version, true, write.physical(), write.logical(), write.writer(), null);
            }
            ObjectNode data = JSON.objectNode();
            for (Schema.Field field : schema.getFields()) {
                Register register = fields.get(field.name());
                data.set(field.name(), register == null || register.value() == null ? absent(field) : register.value());
            }
            return new Expected(version, false, write.physical(), write.logical(), write.writer(), data);
        }

        /** An absent field reads as its schema default, or its type's zero value. */
        private static JsonNode absent(Schema.Field field) {
            if (field.hasDefaultValue()) {
                Object value = field.defaultVal();
                return value == org.apache.avro.JsonProperties.NULL_VALUE ? JSON.nullNode() : DEFAULTS.valueToTree(value);
            }
            return zero(field.schema());
        }

        private static JsonNode zero(Schema schema) {
            return switch (schema.getType()) {
                case STRING -> JSON.textNode("");
                case INT, LONG -> JSON.numberNode(0);
                case FLOAT, DOUBLE -> JSON.numberNode(0.0);
                case BOOLEAN -> JSON.booleanNode(false);
                case ENUM -> JSON.textNode(schema.getEnumSymbols().get(0));
                case ARRAY -> JSON.arrayNode();
                case MAP -> JSON.objectNode();
                case UNION -> zero(schema.getTypes().get(0));
                default -> JSON.nullNode();
            };
        }
    }
}
