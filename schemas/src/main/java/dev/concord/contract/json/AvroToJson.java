package dev.concord.contract.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/** Renders an Avro record as the plain JSON that {@link JsonToAvro} accepts (no union wrappers). */
public final class AvroToJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroToJson() {
    }

    public static ObjectNode toJson(GenericRecord record) {
        ObjectNode object = NODES.objectNode();
        record.getSchema().getFields().forEach(field -> object.set(field.name(), value(record.get(field.pos()))));
        return object;
    }

    private static JsonNode value(Object value) {
        if (value == null) {
            return NODES.nullNode();
        } else if (value instanceof GenericRecord record) {
            return toJson(record);
        } else if (value instanceof CharSequence || value instanceof Enum<?>
                || value instanceof org.apache.avro.generic.GenericEnumSymbol<?>) {
            return NODES.textNode(value.toString());
        } else if (value instanceof Integer i) {
            return NODES.numberNode(i);
        } else if (value instanceof Long l) {
            return NODES.numberNode(l);
        } else if (value instanceof Float f) {
            return NODES.numberNode(f);
        } else if (value instanceof Double d) {
            return NODES.numberNode(d);
        } else if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        } else if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        } else if (value instanceof GenericFixed fixed) {
            return NODES.textNode(Base64.getEncoder().encodeToString(fixed.bytes()));
        } else if (value instanceof Collection<?> items) {
            ArrayNode array = NODES.arrayNode();
            items.forEach(item -> array.add(value(item)));
            return array;
        } else if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((k, v) -> object.set(k.toString(), value(v)));
            return object;
        }
        throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
}
