package dev.concord.producer.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.json.JsonToAvro;
import dev.concord.contract.json.PayloadValidationException;
import dev.concord.contract.json.Violation;
import dev.concord.contract.types.EntityType;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a JSON merge patch (RFC 7386) into the payload of a PATCH event.
 *
 * <p>Only top-level members count: each names a field that changes ({@code changedFields}), and its
 * value is the field's new value, validated against that field's schema. A nested object therefore
 * replaces the field's whole value (e.g. {@code {"address": {"city": "Paris"}}} is refused for a
 * missing street, not merged into the stored address): sync-processor merges per top-level field, so
 * a partial nested value has nothing to merge into. {@code null} removes a field: it takes its schema
 * default (or null when nullable); a required field without default cannot be removed.
 *
 * <p>The fields that are not patched carry their absent value — the schema default, else the type's
 * zero value — only because the payload must be a complete record; the processor reads nothing but
 * {@code changedFields} of a PATCH.
 */
public final class MergePatches {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MergePatches() {
    }

    /** A validated patch: the complete record to encode and the fields it changes, in the patch's order. */
    public record Patch(GenericRecord record, List<String> changedFields) {
    }

    /** @throws InvalidPayloadException naming every offending field */
    public static Patch toPatch(EntityType type, ObjectNode patch) {
        Schema schema = type.schema();
        List<Violation> violations = new ArrayList<>();
        if (patch.isEmpty()) {
            violations.add(new Violation("", "a merge patch with at least one field of " + schema.getName(), "an empty object"));
            throw new InvalidPayloadException(type.name(), new PayloadValidationException(violations));
        }
        ObjectNode complete = NODES.objectNode();
        List<String> changed = new ArrayList<>();
        patch.fieldNames().forEachRemaining(changed::add);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = patch.get(field.name());
            if (value == null) {
                fillAbsent(complete, field);
            } else if (value.isNull() && !nullable(field.schema())) {
                if (!field.hasDefaultValue()) {
                    violations.add(new Violation("/" + escape(field.name()), "a " + describe(field.schema())
                            + " (" + field.name() + " is required and has no default, so it cannot be removed)", "null"));
                    complete.set(field.name(), ZeroJson.of(field.schema()));
                }
                // else: omitted, so it takes the schema default — what "removed" means for this field
            } else {
                complete.set(field.name(), value);
            }
        }
        // Unknown fields are passed on, so JsonToAvro names them with the fields the type has.
        changed.stream().filter(name -> schema.getField(name) == null).forEach(name -> complete.set(name, patch.get(name)));
        try {
            GenericRecord record = JsonToAvro.convert(complete, schema);
            if (!violations.isEmpty()) {
                throw new PayloadValidationException(violations);
            }
            return new Patch(record, List.copyOf(changed));
        } catch (PayloadValidationException e) {
            violations.addAll(0, e.violations());
            throw new InvalidPayloadException(type.name(), new PayloadValidationException(dedupe(violations)));
        }
    }

    private static void fillAbsent(ObjectNode complete, Schema.Field field) {
        if (!field.hasDefaultValue()) {
            complete.set(field.name(), ZeroJson.of(field.schema()));
        }
    }

    private static boolean nullable(Schema schema) {
        return schema.getType() == Schema.Type.NULL
                || schema.getType() == Schema.Type.UNION && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
    }

    private static String describe(Schema schema) {
        return switch (schema.getType()) {
            case RECORD -> "object " + schema.getName();
            case ENUM -> "one of " + String.join(", ", schema.getEnumSymbols());
            default -> schema.getType().getName();
        };
    }

    private static List<Violation> dedupe(List<Violation> violations) {
        return violations.stream().distinct().toList();
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /**
     * The JSON form of a schema's zero value, matching sync-processor's absent values: null, 0, "",
     * false, the first enum symbol, empty collections, a record of defaults and zero values.
     */
    static final class ZeroJson {

        private ZeroJson() {
        }

        static JsonNode of(Schema schema) {
            return switch (schema.getType()) {
                case NULL -> NODES.nullNode();
                case BOOLEAN -> NODES.booleanNode(false);
                case INT, LONG -> NODES.numberNode(0);
                case FLOAT, DOUBLE -> NODES.numberNode(0.0);
                case STRING -> NODES.textNode("");
                case BYTES -> NODES.textNode("");
                case FIXED -> NODES.textNode(Base64.getEncoder().encodeToString(new byte[schema.getFixedSize()]));
                case ENUM -> NODES.textNode(schema.getEnumSymbols().get(0));
                case ARRAY -> NODES.arrayNode();
                case MAP -> NODES.objectNode();
                case UNION -> of(schema.getTypes().get(0));
                case RECORD -> {
                    ObjectNode record = NODES.objectNode();
                    schema.getFields().forEach(f -> fillAbsent(record, f));
                    yield record;
                }
            };
        }
    }
}
