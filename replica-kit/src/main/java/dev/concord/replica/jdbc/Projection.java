package dev.concord.replica.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * A team's own tables for one entity type: what the replica kit calls, inside the JDBC transaction that also
 * stores the version guard and the consumed offsets, for each change that is newer than what the table holds.
 * So a projection never sees an older version after a newer one, never sees a change twice in effect, and its
 * rows and the replica's position commit together.
 *
 * <p>Write with the connection given (never commit or roll it back). A {@link SQLException} that is a data
 * exception of the row (SQLState class 22 or 23: a value too long, a constraint the data breaks) or a
 * {@link RuntimeException} sends that record to {@code concord_replica_dead_letter} with the reason, and the replica
 * goes on; any other {@link SQLException} (the database away) stops the batch, which is retried whole.
 *
 * @param <T> the entity as the projection wants it: the type's generated Avro class, or a record mapped from it
 */
public interface Projection<T> {

    /** The entity at {@code change.version()}: insert or replace its rows. */
    void upsert(Connection tx, EntityChange<T> change) throws SQLException;

    /**
     * Several entities at once (one per id, each newer than what the table holds), in the order they came: override
     * with one batched statement ({@link java.sql.PreparedStatement#addBatch}) where bootstrap speed matters.
     */
    default void upsertAll(Connection tx, List<EntityChange<T>> changes) throws SQLException {
        for (EntityChange<T> change : changes) {
            upsert(tx, change);
        }
    }

    /** The entity is deleted (a versioned tombstone, or its removal after the processor's retention): remove its rows. */
    void delete(Connection tx, String id) throws SQLException;

    /**
     * The columns this projection fills and the fields they come from, checked against the table when the replica
     * starts (a column missing, mistyped, or fed by a field the schema no longer has stops the start, named). None by
     * default: nothing is checked.
     */
    default Optional<TableShape> shape() {
        return Optional.empty();
    }

    /** Every row of the type, for a re-bootstrap: the replica then reads the state topic from its beginning. */
    void clear(Connection tx) throws SQLException;
}
