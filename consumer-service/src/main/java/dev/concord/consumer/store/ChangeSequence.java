package dev.concord.consumer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;

/**
 * How {@code change_seq} values are drawn and when the change feed may show them: the one place of the
 * feed's ordering rule.
 *
 * <p>The rule: a reader never sees a value commit below one it has already seen, so a cursor ("everything
 * after seq N") never skips a change. Several appliers (instances of a replica, one store) write in
 * parallel, and values drawn by concurrent transactions can commit in any order. So the feed does not read
 * up to the highest value committed but up to the <em>head</em> ({@code replica_store.head_seq}): a value
 * below which every transaction that drew one has finished.
 *
 * <p>How the head is known: an applier's transaction holds the advisory lock {@link #LOCK} <em>shared</em>
 * while it draws values, until it commits ({@link #drawing}); raising the head ({@link #advanceHead}) takes
 * it <em>exclusive</em>, which PostgreSQL grants only once no drawing transaction is in flight, and reads
 * the sequence's last value then. Every value up to it was drawn by a finished transaction: committed (and
 * visible to any later snapshot) or rolled back (a gap, harmless). PostgreSQL queues later shared requests
 * behind a waiting exclusive one, so the head cannot starve under constant load; appliers never wait for
 * each other's upserts, only for a short exclusive section per batch.
 */
public final class ChangeSequence {

    /** Advisory lock key (ASCII "concord" + 1) held shared while drawing values, exclusive to raise the head. */
    static final long LOCK = 0x636f6e636f726401L;

    /** The PostgreSQL channel told the new head whenever it rises, so every instance's feeds wake up. */
    public static final String CHANNEL = "concord_changes";

    private static final String DRAWING = "SELECT pg_advisory_xact_lock_shared(" + LOCK + ")";
    private static final String SETTLED = "SELECT pg_advisory_xact_lock(" + LOCK + ")";
    private static final String HEAD = "SELECT head_seq FROM replica_store";
    private static final String BEHIND = """
            SELECT head_seq < (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM entity_change_seq)
            FROM replica_store""";
    private static final String RAISE = """
            WITH sequence AS MATERIALIZED (SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS drawn FROM entity_change_seq)
            UPDATE replica_store SET head_seq = sequence.drawn FROM sequence
            WHERE head_seq < sequence.drawn
            RETURNING head_seq""";
    private static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', ?)";

    private ChangeSequence() {
    }

    /** Marks the connection's transaction as one that draws values; held until it commits or rolls back. */
    static void drawing(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeQuery(DRAWING).close();
        }
    }

    /** The feed's head: every change with a {@code change_seq} up to it is committed (0 for an empty store). */
    public static long head(Connection connection) throws SQLException {
        try (Statement select = connection.createStatement(); ResultSet row = select.executeQuery(HEAD)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Whether values were drawn past the head (a cheap read, no lock): then {@link #advanceHead} has work. */
    static boolean behind(Connection connection) throws SQLException {
        try (Statement select = connection.createStatement(); ResultSet row = select.executeQuery(BEHIND)) {
            row.next();
            return row.getBoolean(1);
        }
    }

    /**
     * Raises the head to the last value drawn once no drawing transaction is in flight, in a transaction of
     * its own on {@code connection} (which must be in auto-commit mode), and notifies {@link #CHANNEL} if it rose.
     *
     * <p>Committed without waiting for the disk ({@code synchronous_commit = off}): the head is derived from
     * committed rows and the sequence, so a head lost in a crash is raised again by the next call.
     *
     * @return the head after the call
     */
    static long advanceHead(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL synchronous_commit = off");
            statement.executeQuery(SETTLED).close();
            OptionalLong raised = OptionalLong.empty();
            try (ResultSet row = statement.executeQuery(RAISE)) {
                if (row.next()) {
                    raised = OptionalLong.of(row.getLong(1));
                }
            }
            if (raised.isPresent()) {
                try (PreparedStatement notify = connection.prepareStatement(NOTIFY)) {
                    notify.setString(1, Long.toString(raised.getAsLong()));
                    notify.executeQuery().close();
                }
            }
            long head = raised.isPresent() ? raised.getAsLong() : head(connection);
            connection.commit();
            return head;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }
}
