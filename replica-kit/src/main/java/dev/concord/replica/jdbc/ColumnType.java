package dev.concord.replica.jdbc;

import dev.concord.contract.json.AvroToJson;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;

/**
 * The PostgreSQL type of a column a {@link ColumnProjection} fills, and how a batch's values of it travel: one array
 * parameter per column ({@code unnest}), the element type being what the JDBC driver sends arrays of, cast to the
 * column's type inside the statement where the driver has no array of it (timestamps and JSON go as text).
 */
public enum ColumnType {
    TEXT("text", "text", ColumnType::text),
    BIGINT("bigint", "int8", value -> ((Number) value).longValue()),
    INTEGER("integer", "int4", value -> ((Number) value).intValue()),
    BOOLEAN("boolean", "bool", value -> (Boolean) value),
    DOUBLE("double precision", "float8", value -> ((Number) value).doubleValue()),
    /**
     * From an {@link Instant} (e.g. {@link EntityChange#updatedAt()}), an {@link OffsetDateTime}, or epoch milliseconds
     * (an Avro {@code timestamp-millis} field read as a generic record is a {@code long}).
     */
    TIMESTAMPTZ("timestamptz", "text", ColumnType::timestamp),
    /** From a JSON string, or an Avro record (a nested record of the entity, or the whole entity) written as JSON. */
    JSONB("jsonb", "text", ColumnType::json);

    private final String sqlType;
    private final String arrayElementType;
    private final Function<Object, Object> toElement;

    ColumnType(String sqlType, String arrayElementType, Function<Object, Object> toElement) {
        this.sqlType = sqlType;
        this.arrayElementType = arrayElementType;
        this.toElement = toElement;
    }

    String sqlType() {
        return sqlType;
    }

    /** The type name {@link java.sql.Connection#createArrayOf} takes for this column's batch of values. */
    String arrayElementType() {
        return arrayElementType;
    }

    /** A value as an element of that array: null stays null (the column's NULL). */
    Object toElement(Object value) {
        return value == null ? null : toElement.apply(value);
    }

    private static Object text(Object value) {
        // Avro hands strings as Utf8 and enums as generated enums (or GenericEnumSymbol): their text is the value.
        return value instanceof Enum<?> symbol ? symbol.name() : value.toString();
    }

    private static Object timestamp(Object value) {
        if (value instanceof Instant || value instanceof OffsetDateTime) {
            return value.toString(); // ISO-8601 with its offset: PostgreSQL reads it as the same instant
        }
        if (value instanceof Long millis) {
            return Instant.ofEpochMilli(millis).toString();
        }
        throw new IllegalArgumentException("a timestamptz column takes an Instant, an OffsetDateTime or epoch milliseconds, not "
                + value.getClass().getName());
    }

    private static Object json(Object value) {
        return value instanceof GenericRecord record ? AvroToJson.toJson(record).toString() : value.toString();
    }
}
