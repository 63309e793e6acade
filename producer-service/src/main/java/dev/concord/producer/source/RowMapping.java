package dev.concord.producer.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.producer.write.StrictJsonReader;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * Maps a database row (as JSON: column → value) onto an entity type's fields, for the outbox relay and
 * change data capture: a column matches the field of the same name, or of its camelCase form
 * ({@code marketing_opt_in} → {@code marketingOptIn}); a text column holding JSON is parsed when the
 * field is an object, array or map (Debezium delivers {@code json}/{@code jsonb} columns as text).
 * Columns matching no field are kept (so strict conversion names them) unless {@code dropUnknown}.
 */
public final class RowMapping {

    // Text columns holding JSON are parsed with the door's limits (nesting, number length).
    private static final ObjectMapper JSON = StrictJsonReader.boundedMapper(false);

    private RowMapping() {
    }

    /**
     * @param dropped receives the names of columns dropped because no field matches them
     */
    public static ObjectNode toEntity(ObjectNode row, Schema schema, boolean dropUnknown, Set<String> dropped) {
        ObjectNode entity = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> column = it.next();
            Schema.Field field = schema.getField(column.getKey());
            if (field == null) {
                field = schema.getField(camelCase(column.getKey()));
            }
            if (field == null) {
                if (dropUnknown) {
                    dropped.add(column.getKey());
                } else {
                    entity.set(column.getKey(), column.getValue());
                }
                continue;
            }
            entity.set(field.name(), value(column.getValue(), field.schema()));
        }
        return entity;
    }

    static String camelCase(String column) {
        StringBuilder name = new StringBuilder(column.length());
        boolean upper = false;
        for (char c : column.toCharArray()) {
            if (c == '_') {
                upper = name.length() > 0;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }

    private static JsonNode value(JsonNode value, Schema schema) {
        if (value.isTextual() && structured(schema)) {
            try {
                return JSON.readTree(value.textValue());
            } catch (IOException notJson) {
                return value; // strict conversion will name the field and what it expected
            }
        }
        return value;
    }

    private static boolean structured(Schema schema) {
        return switch (schema.getType()) {
            case RECORD, ARRAY, MAP -> true;
            case UNION -> schema.getTypes().stream().anyMatch(RowMapping::structured);
            default -> false;
        };
    }
}
