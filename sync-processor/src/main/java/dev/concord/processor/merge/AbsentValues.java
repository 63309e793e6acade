package dev.concord.processor.merge;

import java.util.ArrayList;
import java.util.HashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * The value a field takes while no write holds it (never written, or deleted): the schema's default
 * when it declares one, otherwise the type's zero value (null, 0, "", false, the first enum symbol,
 * empty collections, a record of zero values). A pure function of the schema, so every replica
 * materialises an absent field identically.
 */
final class AbsentValues {

    private AbsentValues() {
    }

    static Object of(Schema.Field field) {
        if (field.hasDefaultValue()) {
            return GenericData.get().deepCopy(field.schema(), GenericData.get().getDefaultValue(field));
        }
        return zero(field.schema());
    }

    static Object zero(Schema schema) {
        return switch (schema.getType()) {
            case NULL -> null;
            case BOOLEAN -> false;
            case INT -> 0;
            case LONG -> 0L;
            case FLOAT -> 0f;
            case DOUBLE -> 0d;
            case STRING -> "";
            case BYTES -> java.nio.ByteBuffer.allocate(0);
            case FIXED -> new GenericData.Fixed(schema, new byte[schema.getFixedSize()]);
            case ENUM -> new GenericData.EnumSymbol(schema, schema.getEnumSymbols().get(0));
            case ARRAY -> new GenericData.Array<>(schema, new ArrayList<>());
            case MAP -> new HashMap<>();
            case UNION -> zero(schema.getTypes().get(0));
            case RECORD -> {
                GenericData.Record record = new GenericData.Record(schema);
                schema.getFields().forEach(f -> record.put(f.pos(), of(f)));
                yield record;
            }
        };
    }
}
