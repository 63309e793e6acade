package dev.concord.replica.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * The columns a projection fills, each from a field of the type's schema (a dotted path into nested records). The kit
 * checks it against the table when the replica starts, so that a column missing or of the wrong type, or a field the
 * schema no longer has, stops the service with its name instead of dead-lettering every record later.
 *
 * <pre>{@code
 * TableShape.of("customers").column("name", "name").column("city", "address.city")
 * }</pre>
 */
public final class TableShape {

    // PostgreSQL's information_schema.columns.data_type values each Avro type may be stored in
    private static final Map<Schema.Type, Set<String>> STORABLE_IN = Map.of(
            Schema.Type.STRING, Set.of("text", "character varying", "character"),
            Schema.Type.ENUM, Set.of("text", "character varying", "character"),
            Schema.Type.INT, Set.of("integer", "bigint", "numeric"),
            Schema.Type.LONG, Set.of("bigint", "numeric"),
            Schema.Type.BOOLEAN, Set.of("boolean"),
            Schema.Type.FLOAT, Set.of("real", "double precision", "numeric"),
            Schema.Type.DOUBLE, Set.of("double precision", "numeric"),
            Schema.Type.BYTES, Set.of("bytea"),
            Schema.Type.FIXED, Set.of("bytea"),
            Schema.Type.RECORD, Set.of("jsonb", "json"));

    private final String table;
    private final Map<String, String> fieldByColumn = new LinkedHashMap<>();

    private TableShape(String table) {
        this.table = table;
    }

    public static TableShape of(String table) {
        return new TableShape(table);
    }

    /** A column filled from {@code fieldPath} of the type's schema. */
    public TableShape column(String column, String fieldPath) {
        fieldByColumn.put(column, fieldPath);
        return this;
    }

    public String table() {
        return table;
    }

    /**
     * @param schema the type's declared schema
     * @return what does not fit, one sentence each, naming the column and the field; empty when the table fits
     */
    public List<String> problems(Connection connection, Schema schema) throws SQLException {
        Map<String, Column> columns = columns(connection);
        List<String> problems = new ArrayList<>();
        if (columns.isEmpty()) {
            return List.of("table " + table + " does not exist (in the connection's schema search path)");
        }
        for (Map.Entry<String, String> entry : fieldByColumn.entrySet()) {
            String column = entry.getKey();
            String path = entry.getValue();
            Field field = field(schema, path);
            Column found = columns.get(column);
            if (field == null) {
                problems.add("column " + table + "." + column + " is filled from field '" + path + "', which " + schema.getName()
                        + "'s schema does not have");
            } else if (found == null) {
                problems.add("column " + table + "." + column + " is missing (field '" + path + "', " + describe(field) + ")");
            } else {
                Set<String> storable = STORABLE_IN.getOrDefault(field.type().getType(), Set.of("jsonb", "json"));
                if (!storable.contains(found.dataType())) {
                    problems.add("column " + table + "." + column + " is " + found.dataType() + ", which cannot hold field '" + path
                            + "' (" + describe(field) + "; expected one of " + storable.stream().sorted().toList() + ")");
                } else if (field.nullable() && !found.nullable()) {
                    problems.add("column " + table + "." + column + " is NOT NULL, but field '" + path + "' may be null");
                }
            }
        }
        return problems;
    }

    private record Column(String dataType, boolean nullable) {
    }

    /** A field's type with a nullable union unwrapped; nullable also when an enclosing record may be null. */
    private record Field(Schema type, boolean nullable) {
    }

    private Map<String, Column> columns(Connection connection) throws SQLException {
        Map<String, Column> columns = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT column_name, data_type, is_nullable FROM information_schema.columns
                WHERE table_name = ? AND table_schema = ANY (current_schemas(false))""")) {
            query.setString(1, table);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    columns.put(row.getString(1), new Column(row.getString(2), "YES".equals(row.getString(3))));
                }
            }
        }
        return columns;
    }

    private static Field field(Schema schema, String path) {
        Schema current = schema;
        boolean nullable = false;
        for (String name : path.split("\\.")) {
            Field unwrapped = unwrap(current);
            nullable |= unwrapped.nullable();
            if (unwrapped.type().getType() != Schema.Type.RECORD || unwrapped.type().getField(name) == null) {
                return null;
            }
            current = unwrapped.type().getField(name).schema();
        }
        Field last = unwrap(current);
        return new Field(last.type(), nullable || last.nullable());
    }

    private static Field unwrap(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return new Field(schema, false);
        }
        List<Schema> branches = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
        boolean nullable = branches.size() < schema.getTypes().size();
        return new Field(branches.size() == 1 ? branches.get(0) : schema, nullable);
    }

    private static String describe(Field field) {
        return (field.nullable() ? "optional " : "") + field.type().getType().getName();
    }
}
