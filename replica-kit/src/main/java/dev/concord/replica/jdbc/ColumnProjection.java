package dev.concord.replica.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;

/**
 * A projection into one table with one row per entity, declared by its columns: the kit writes the SQL. A batch is
 * one statement, {@code INSERT … SELECT … FROM unnest(<one array per column>) … ON CONFLICT (<key>) DO UPDATE}, so
 * PostgreSQL plans and executes once per poll instead of once per row; measured in docs/performance.md
 * ("A fresh replica in a team's table"). Deletes and clearing come with it (the fixed columns' rows only).
 *
 * <pre>{@code
 * ColumnProjection.<Customer>into("customers", "id")
 *         .field("name", ColumnType.TEXT, "name")
 *         .field("city", ColumnType.TEXT, "address.city")
 *         .version("version")
 *         .build();
 * }</pre>
 *
 * <p>With a {@linkplain Builder#version version column} the table guards itself and each change is one write; without
 * one, the kit keeps each entity's version in its own guard table beside it.
 *
 * <p>A table that holds several types keys its rows by a fixed column as well ({@link Builder#fixed}): its upserts,
 * deletes and clearing touch only the rows carrying that value.
 *
 * @param <T> the entity as the projection receives it (see {@link TypeBinding})
 */
public final class ColumnProjection<T> extends TableProjection<T> {

    private record Column<T>(String name, ColumnType type, Function<EntityChange<T>, ?> value) {
    }

    private final List<Column<T>> columns;
    // the fixed columns' values, in the order their names appear in the statements below
    private final List<String> fixedValues;
    private final TableShape shape;
    private final String upsert;
    private final String upsertNewer;
    private final String versionOf;
    private final String delete;
    private final String clear;

    private ColumnProjection(Builder<T> builder) {
        super(builder.table, builder.idColumn);
        this.columns = List.copyOf(builder.columns);
        this.fixedValues = List.copyOf(builder.fixed.values());
        this.shape = builder.shape;
        // Quoted: a plain name may still be a reserved word ("order", "user").
        String table = SqlIdentifiers.quoted(builder.table);
        String idColumn = SqlIdentifiers.quoted(builder.idColumn);
        List<String> key = new ArrayList<>(builder.fixed.keySet().stream().map(SqlIdentifiers::quoted).toList());
        key.add(idColumn);
        List<String> names = columns.stream().map(c -> SqlIdentifiers.quoted(c.name())).toList();
        String updates = names.stream().filter(name -> !key.contains(name))
                .map(name -> name + " = EXCLUDED." + name).collect(Collectors.joining(", "));
        String proposed = " SELECT " + columns.stream().map(c -> "proposed." + SqlIdentifiers.quoted(c.name()) + "::" + c.type().sqlType())
                .collect(Collectors.joining(", "))
                + " FROM unnest(" + columns.stream().map(c -> "?::" + c.type().arrayElementType() + "[]").collect(Collectors.joining(", "))
                + ") AS proposed(" + String.join(", ", names) + ")";
        String onConflict = " ON CONFLICT (" + String.join(", ", key) + ")" + (updates.isEmpty() ? " DO NOTHING" : " DO UPDATE SET " + updates);
        this.upsert = "INSERT INTO " + table + " AS stored (" + String.join(", ", names) + ")" + proposed + onConflict;
        String version = builder.versionColumn == null ? null : SqlIdentifiers.quoted(builder.versionColumn);
        // Newer than the row and than a deletion the kit keeps (replica and type are the last two parameters).
        this.upsertNewer = version == null ? null : "INSERT INTO " + table + " AS stored (" + String.join(", ", names) + ")" + proposed
                + " WHERE NOT EXISTS (SELECT 1 FROM concord_replica_version AS deleted WHERE deleted.replica = ? AND deleted.entity_type = ?"
                + " AND deleted.entity_id = proposed." + idColumn + " AND deleted.version >= proposed." + version + ")"
                + onConflict + (updates.isEmpty() ? "" : " WHERE stored." + version + " IS NULL OR stored." + version + " < EXCLUDED." + version)
                + " RETURNING " + idColumn;
        String ofFixed = builder.fixed.keySet().stream().map(name -> SqlIdentifiers.quoted(name) + " = ?").collect(Collectors.joining(" AND "));
        this.versionOf = version == null ? null : "SELECT " + version + " FROM " + table + " WHERE "
                + (ofFixed.isEmpty() ? "" : ofFixed + " AND ") + idColumn + " = ? FOR UPDATE";
        this.delete = "DELETE FROM " + table + " WHERE " + (ofFixed.isEmpty() ? "" : ofFixed + " AND ") + idColumn + " = ?";
        this.clear = "DELETE FROM " + table + (ofFixed.isEmpty() ? "" : " WHERE " + ofFixed);
    }

    /** @param idColumn the column the entity id goes to: the table's key (with the {@linkplain Builder#fixed fixed} columns) */
    public static <T> Builder<T> into(String table, String idColumn) {
        return new Builder<>(table, idColumn);
    }

    /** The statement one batch runs (for a team's review, and for tests). */
    public String upsertStatement() {
        return upsert;
    }

    /** Every change of the batch in one statement: one array per column, the rows in the order given. */
    @Override
    public void upsertAll(Connection tx, List<EntityChange<T>> changes) throws SQLException {
        try (PreparedStatement statement = tx.prepareStatement(upsert)) {
            setColumns(tx, statement, changes);
            statement.executeUpdate();
        }
    }

    /** Whether the table keeps each entity's version ({@link Builder#version}): the kit then guards with it. */
    boolean keepsVersions() {
        return upsertNewer != null;
    }

    /**
     * The changes newer than the table's row and than a deletion the kit keeps for the entity, in one statement.
     *
     * @return the ids written
     */
    Set<String> upsertNewer(Connection tx, String replica, String type, List<EntityChange<T>> changes) throws SQLException {
        Set<String> written = new HashSet<>();
        try (PreparedStatement statement = tx.prepareStatement(upsertNewer)) {
            int parameter = setColumns(tx, statement, changes);
            statement.setString(parameter++, replica);
            statement.setString(parameter, type);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    written.add(rows.getString(1));
                }
            }
        }
        return written;
    }

    /** The version the table holds for the entity, its row locked until the transaction ends; empty without a row. */
    OptionalLong versionOf(Connection tx, String id) throws SQLException {
        try (PreparedStatement statement = tx.prepareStatement(versionOf)) {
            int parameter = setFixed(statement);
            statement.setString(parameter, id);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return OptionalLong.empty();
                }
                long held = row.getLong(1);
                return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(held); // a NULL version is older than any
            }
        }
    }

    /** @return the next parameter's index */
    private int setColumns(Connection tx, PreparedStatement statement, List<EntityChange<T>> changes) throws SQLException {
        int parameter = 1;
        for (Column<T> column : columns) {
            Object[] values = new Object[changes.size()];
            for (int row = 0; row < values.length; row++) {
                values[row] = column.type().toElement(column.value().apply(changes.get(row)));
            }
            statement.setArray(parameter++, tx.createArrayOf(column.type().arrayElementType(), values));
        }
        return parameter;
    }

    @Override
    public void delete(Connection tx, String id) throws SQLException {
        try (PreparedStatement statement = tx.prepareStatement(delete)) {
            int parameter = setFixed(statement);
            statement.setString(parameter, id);
            statement.executeUpdate();
        }
    }

    @Override
    public void clear(Connection tx) throws SQLException {
        try (PreparedStatement statement = tx.prepareStatement(clear)) {
            setFixed(statement);
            statement.executeUpdate();
        }
    }

    @Override
    public Optional<TableShape> shape() {
        return Optional.ofNullable(shape);
    }

    private static Object valueAt(Object entity, String[] path) {
        Object value = entity;
        for (String name : path) {
            if (value == null) {
                return null;
            }
            if (!(value instanceof GenericRecord record)) {
                throw new IllegalStateException("field '" + String.join(".", path) + "' is read from an Avro record, not from a "
                        + value.getClass().getName() + ": bind the type as its generated class or generic record");
            }
            value = record.get(name);
        }
        return value;
    }

    private int setFixed(PreparedStatement statement) throws SQLException {
        int parameter = 1;
        for (String value : fixedValues) {
            statement.setString(parameter++, value);
        }
        return parameter;
    }

    public static final class Builder<T> {

        private final String table;
        private final String idColumn;
        private final List<Column<T>> columns = new ArrayList<>();
        // insertion order: the same order in the key, the statements and their parameters
        private final Map<String, String> fixed = new LinkedHashMap<>();
        private TableShape shape;
        private String versionColumn;

        private Builder(String table, String idColumn) {
            // checked here too, so a bad name fails where it is written, not at build()
            this.table = SqlIdentifiers.require(table);
            this.idColumn = SqlIdentifiers.require(idColumn);
            columns.add(new Column<>(idColumn, ColumnType.TEXT, EntityChange::id));
        }

        /** A column filled from each change (the entity's value, or its version, clock, writer or update time). */
        public Builder<T> column(String name, ColumnType type, Function<EntityChange<T>, ?> value) {
            requireNew(name);
            columns.add(new Column<>(name, type, value));
            return this;
        }

        /**
         * A text column with the same value in every row of this projection, part of the table's key: for a table
         * shared by several types, e.g. {@code fixed("entity_type", "customer")}.
         */
        public Builder<T> fixed(String name, String value) {
            requireNew(name);
            fixed.put(name, value);
            columns.add(new Column<>(name, ColumnType.TEXT, change -> value));
            return this;
        }

        /**
         * The column that holds each entity's version ({@code bigint}). The table then guards itself: an upsert
         * replaces a row only with a newer version, and the kit's guard table keeps only deletions (so an older state
         * read later cannot bring a deleted entity back) — one write per row instead of two. Without it, the kit
         * keeps every entity's version in its guard table. The kit alone must write this column. It relies on each
         * entity's states coming from one partition, as the contract has them (after partitions are added to a type,
         * let the replica catch up first: docs/operations.md). Taking {@code version} off an existing projection
         * needs a {@link dev.concord.replica.Replica#rebootstrap()}: the guard table then holds deletions only.
         */
        public Builder<T> version(String name) {
            column(name, ColumnType.BIGINT, EntityChange::version);
            versionColumn = name;
            return this;
        }

        /**
         * A column filled from a field of the entity's Avro record (the generated class or the generic record), by its
         * path ({@code "address.city"}: null when a record on the way is null). The column is also checked against
         * the type's schema and the table when the replica starts (see {@link Projection#shape()}), so a migration
         * that forgot it, or a schema change that removed the field, stops the start naming both.
         */
        public Builder<T> field(String name, ColumnType type, String fieldPath) {
            String[] path = fieldPath.split("\\.");
            column(name, type, change -> valueAt(change.value(), path));
            shape = (shape == null ? TableShape.of(table) : shape).column(name, fieldPath);
            return this;
        }

        public ColumnProjection<T> build() {
            return new ColumnProjection<>(this);
        }

        private void requireNew(String name) {
            SqlIdentifiers.require(name);
            if (columns.stream().anyMatch(column -> column.name().equals(name))) {
                throw new IllegalArgumentException("column " + name + " of " + table + " is declared twice");
            }
        }
    }
}
