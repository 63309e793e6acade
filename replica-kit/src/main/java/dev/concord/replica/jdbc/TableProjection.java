package dev.concord.replica.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A projection into one table with one row per entity, keyed by the entity id: the team writes only the batched
 * upsert; deleting a row and clearing the table (for a re-bootstrap) come from here. Where the row is a column per
 * value, {@link ColumnProjection} writes the upsert too, as one statement per batch.
 */
public abstract class TableProjection<T> implements Projection<T> {

    private final String table;
    private final String idColumn;

    protected TableProjection(String table, String idColumn) {
        this.table = SqlIdentifiers.require(table);
        this.idColumn = SqlIdentifiers.require(idColumn);
    }

    protected String table() {
        return table;
    }

    @Override
    public void upsert(Connection tx, EntityChange<T> change) throws SQLException {
        upsertAll(tx, List.of(change));
    }

    /** Insert or replace each entity's row: one batched statement ({@link PreparedStatement#addBatch}). */
    @Override
    public abstract void upsertAll(Connection tx, List<EntityChange<T>> changes) throws SQLException;

    @Override
    public void delete(Connection tx, String id) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement("DELETE FROM " + SqlIdentifiers.quoted(table)
                + " WHERE " + SqlIdentifiers.quoted(idColumn) + " = ?")) {
            delete.setString(1, id);
            delete.executeUpdate();
        }
    }

    @Override
    public void clear(Connection tx) throws SQLException {
        try (Statement statement = tx.createStatement()) {
            statement.executeUpdate("DELETE FROM " + SqlIdentifiers.quoted(table));
        }
    }
}
