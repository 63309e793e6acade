package dev.concord.contract.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Converts plain JSON (as clients write it: no Avro union wrappers) into a record of an Avro schema,
 * strictly: unknown fields, missing required fields and wrong types are all reported, each with its
 * JSON Pointer and what was expected. A missing field that has a default takes the default; a
 * nullable field ({@code ["null", T]}) may be absent or null.
 */
public final class JsonToAvro {

    private JsonToAvro() {
    }

    public static GenericRecord convert(JsonNode json, Schema recordSchema) {
        List<Violation> violations = new ArrayList<>();
        Object value = convert(json, recordSchema, "", violations);
        if (!violations.isEmpty()) {
            throw new PayloadValidationException(violations);
        }
        return (GenericRecord) value;
    }

    private static Object convert(JsonNode node, Schema schema, String pointer, List<Violation> out) {
        return switch (schema.getType()) {
            case RECORD -> record(node, schema, pointer, out);
            case UNION -> union(node, schema, pointer, out);
            case NULL -> node.isNull() ? null : mismatch(pointer, "null", node, out);
            case BOOLEAN -> node.isBoolean() ? node.booleanValue() : mismatch(pointer, "boolean", node, out);
            case INT -> node.isIntegralNumber() && node.canConvertToInt() ? node.intValue()
                    : mismatch(pointer, "int (32-bit integer)", node, out);
            case LONG -> node.isIntegralNumber() && node.canConvertToLong() ? node.longValue()
                    : mismatch(pointer, describe(schema), node, out);
            // A number beyond the type's range would become Infinity, which JSON cannot carry back to a reader.
            case FLOAT -> node.isNumber() && Float.isFinite(node.floatValue()) ? node.floatValue()
                    : mismatch(pointer, "float (a number within ±3.4e38)", node, out);
            case DOUBLE -> node.isNumber() && Double.isFinite(node.doubleValue()) ? node.doubleValue()
                    : mismatch(pointer, "double (a number within ±1.7e308)", node, out);
            case STRING -> node.isTextual() ? node.textValue() : mismatch(pointer, describe(schema), node, out);
            case BYTES -> bytes(node, pointer, out);
            case FIXED -> fixed(node, schema, pointer, out);
            case ENUM -> node.isTextual() && schema.getEnumSymbols().contains(node.textValue())
                    ? new GenericData.EnumSymbol(schema, node.textValue())
                    : mismatch(pointer, describe(schema), node, out);
            case ARRAY -> array(node, schema, pointer, out);
            case MAP -> map(node, schema, pointer, out);
        };
    }

    private static Object record(JsonNode node, Schema schema, String pointer, List<Violation> out) {
        if (!node.isObject()) {
            return mismatch(pointer, "object " + schema.getName(), node, out);
        }
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            String fieldPointer = pointer + "/" + escape(field.name());
            JsonNode value = node.get(field.name());
            if (value == null) {
                if (field.hasDefaultValue()) {
                    record.put(field.pos(), GenericData.get().deepCopy(field.schema(), GenericData.get().getDefaultValue(field)));
                } else {
                    out.add(new Violation(fieldPointer, "required " + describe(field.schema()), "nothing"));
                }
            } else {
                record.put(field.pos(), convert(value, field.schema(), fieldPointer, out));
            }
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (schema.getField(name) == null) {
                out.add(new Violation(pointer + "/" + escape(name), "no such field; " + schema.getName() + " has "
                        + schema.getFields().stream().map(Schema.Field::name).collect(Collectors.joining(", ")),
                        "a value"));
            }
        }
        return record;
    }

    private static Object union(JsonNode node, Schema schema, String pointer, List<Violation> out) {
        if (node.isNull()) {
            return schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)
                    ? null : mismatch(pointer, describe(schema), node, out);
        }
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            List<Violation> attempt = new ArrayList<>();
            Object value = convert(node, branch, pointer, attempt);
            if (attempt.isEmpty()) {
                return value;
            }
            if (schema.getTypes().size() == 2) {
                // A nullable T: report T's own, more precise, violations.
                out.addAll(attempt);
                return null;
            }
        }
        return mismatch(pointer, describe(schema), node, out);
    }

    private static Object array(JsonNode node, Schema schema, String pointer, List<Violation> out) {
        if (!node.isArray()) {
            return mismatch(pointer, describe(schema), node, out);
        }
        List<Object> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            items.add(convert(node.get(i), schema.getElementType(), pointer + "/" + i, out));
        }
        return new GenericData.Array<>(schema, items);
    }

    private static Object map(JsonNode node, Schema schema, String pointer, List<Violation> out) {
        if (!node.isObject()) {
            return mismatch(pointer, describe(schema), node, out);
        }
        Map<String, Object> values = new HashMap<>();
        node.fields().forEachRemaining(e ->
                values.put(e.getKey(), convert(e.getValue(), schema.getValueType(), pointer + "/" + escape(e.getKey()), out)));
        return values;
    }

    private static Object bytes(JsonNode node, String pointer, List<Violation> out) {
        try {
            if (node.isTextual()) {
                return ByteBuffer.wrap(Base64.getDecoder().decode(node.textValue()));
            }
        } catch (IllegalArgumentException notBase64) {
            // reported below
        }
        return mismatch(pointer, "bytes as a base64 string", node, out);
    }

    private static Object fixed(JsonNode node, Schema schema, String pointer, List<Violation> out) {
        Object bytes = bytes(node, pointer, out);
        if (bytes instanceof ByteBuffer buffer && buffer.remaining() == schema.getFixedSize()) {
            return new GenericData.Fixed(schema, buffer.array());
        }
        return bytes == null ? null : mismatch(pointer, schema.getFixedSize() + " bytes as base64", node, out);
    }

    private static Object mismatch(String pointer, String expected, JsonNode actual, List<Violation> out) {
        out.add(new Violation(pointer, expected, describe(actual)));
        return null;
    }

    /** What a schema expects, in words a client developer reads without knowing Avro. */
    static String describe(Schema schema) {
        String logical = schema.getLogicalType() == null ? null : schema.getLogicalType().getName();
        return switch (schema.getType()) {
            case ENUM -> "one of " + String.join(", ", schema.getEnumSymbols());
            case ARRAY -> "array of " + describe(schema.getElementType());
            case MAP -> "object of " + describe(schema.getValueType());
            case RECORD -> "object " + schema.getName();
            case UNION -> schema.getTypes().stream().map(JsonToAvro::describe).collect(Collectors.joining(" or "));
            case LONG -> logical == null ? "long (64-bit integer)" : logical + " (long)";
            case STRING -> logical == null ? "string" : logical + " string";
            default -> schema.getType().getName();
        };
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        String shown = text.length() > 40 ? text.substring(0, 37) + "..." : text;
        return node.getNodeType().name().toLowerCase() + " " + shown;
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
