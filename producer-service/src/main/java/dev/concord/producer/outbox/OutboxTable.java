package dev.concord.producer.outbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The outbox tables in PostgreSQL, as a relay uses them: install them, lease rows in order, delete the
 * published ones, release or bury the others, and measure what waits. Every statement of the outbox is here.
 */
final class OutboxTable {

    static final String SCHEMA_RESOURCE = "db/concord-outbox/V1__concord_outbox.sql";

    // One claim at a time per database: claims take milliseconds, and serialising them makes the
    // "no earlier row of the entity is leased" check exact. Publishing runs outside this lock.
    private static final long CLAIM_LOCK = 0x436f6e636f7264L; // "Concord"
    private static final String CLAIM = """
            UPDATE concord_outbox o
               SET claimed_by = ?, claimed_until = clock_timestamp() + (? * interval '1 millisecond'), attempts = attempts + 1
             WHERE o.seq IN (
                   SELECT c.seq FROM concord_outbox c
                    WHERE (c.claimed_until IS NULL OR c.claimed_until < clock_timestamp())
                      AND NOT EXISTS (SELECT 1 FROM concord_outbox e
                                       WHERE e.entity_type = c.entity_type AND e.entity_id = c.entity_id
                                         AND e.seq < c.seq AND e.claimed_until >= clock_timestamp())
                    ORDER BY c.seq
                    LIMIT ?
                      FOR UPDATE SKIP LOCKED)
            RETURNING seq, event_id, entity_type, entity_id, op, payload::text, changed_fields, expected_version, clock_millis, tx_id
            """;
    private static final String DELETE = "DELETE FROM concord_outbox WHERE seq = ANY (?)";
    private static final String RELEASE = "UPDATE concord_outbox SET claimed_by = NULL, claimed_until = NULL, last_error = ? WHERE seq = ANY (?)";
    private static final String BURY = """
            INSERT INTO concord_outbox_dead (seq, event_id, entity_type, entity_id, op, payload, changed_fields,
                                             expected_version, clock_millis, tx_id, created_at, error)
            SELECT seq, event_id, entity_type, entity_id, op, payload, changed_fields, expected_version,
                   clock_millis, tx_id, created_at, ? FROM concord_outbox WHERE seq = ?
            ON CONFLICT (seq) DO NOTHING""";
    private static final String BACKLOG = "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)) * 1000, 0)::bigint"
            + " FROM concord_outbox";

    /** What waits in the outbox: rows, and how long the oldest has waited. */
    record Backlog(long rows, Duration oldest) {
    }

    private final DataSource dataSource;

    OutboxTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the outbox table, the dead-row table and the append and capture functions if absent (idempotent). */
    static void createSchema(DataSource dataSource) throws SQLException {
        String ddl;
        try (InputStream in = OutboxTable.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SCHEMA_RESOURCE, e);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // Two relays starting together must not replace the functions concurrently.
                s.execute("SELECT pg_advisory_xact_lock(" + (CLAIM_LOCK + 1) + ")");
                s.execute(ddl);
            }
            c.commit();
        }
    }

    /**
     * Leases up to {@code limit} rows to {@code relayId} for {@code lease}, in seq order, skipping rows locked by
     * other claims and rows with an earlier row of their entity leased by a live relay; committed at once.
     */
    List<OutboxRow> claim(String relayId, Duration lease, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<OutboxRow> rows = new ArrayList<>();
            try (Statement lock = c.createStatement()) {
                lock.execute("SELECT pg_advisory_xact_lock(" + CLAIM_LOCK + ")");
            }
            try (PreparedStatement claim = c.prepareStatement(CLAIM)) {
                claim.setString(1, relayId);
                claim.setLong(2, lease.toMillis());
                claim.setInt(3, limit);
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        Array changed = rs.getArray(7);
                        rows.add(new OutboxRow(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6),
                                changed == null ? null : Arrays.asList((String[]) changed.getArray()),
                                rs.getObject(8, Long.class), rs.getLong(9), rs.getLong(10)));
                    }
                }
            }
            c.commit();
            rows.sort(Comparator.comparingLong(OutboxRow::seq));
            return rows;
        }
    }

    /** Removes published rows. */
    void delete(List<Long> seqs) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement delete = c.prepareStatement(DELETE)) {
            delete.setArray(1, c.createArrayOf("bigint", seqs.toArray()));
            delete.executeUpdate();
        }
    }

    /** Gives leased rows back for the next round, noting why. */
    void release(List<Long> seqs, String error) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement release = c.prepareStatement(RELEASE)) {
            release.setString(1, error);
            release.setArray(2, c.createArrayOf("bigint", seqs.toArray()));
            release.executeUpdate();
        }
    }

    /** Moves a row that can never become an event to {@code concord_outbox_dead}, with the reason, in one transaction. */
    void bury(long seq, String reason) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement move = c.prepareStatement(BURY);
                 PreparedStatement delete = c.prepareStatement("DELETE FROM concord_outbox WHERE seq = ?")) {
                move.setString(1, reason);
                move.setLong(2, seq);
                move.executeUpdate();
                delete.setLong(1, seq);
                delete.executeUpdate();
            }
            c.commit();
        }
    }

    /** Counts what waits: it reads the whole table, so callers sample it. */
    Backlog backlog() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(BACKLOG)) {
            rs.next();
            return new Backlog(rs.getLong(1), Duration.ofMillis(Math.max(0, rs.getLong(2))));
        }
    }
}
