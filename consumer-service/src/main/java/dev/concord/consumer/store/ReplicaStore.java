package dev.concord.consumer.store;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * The replica's write side in PostgreSQL: applies a {@link StateBatch} and records how far it got,
 * in one transaction.
 *
 * <p>Guarantees: a batch is stored entirely or not at all, together with its consumed offsets, so
 * resuming from {@link #storedOffsets} never loses or doubles a change. A stored version never goes
 * back: the upsert only replaces a row with a strictly greater version, which makes re-applying any
 * record harmless. Every row that changes takes a fresh {@code change_seq}.
 *
 * <p>The change feed's invariant lives here: exactly one thread (the applier) calls {@link #apply}, one
 * batch after another, and {@code change_seq} values are drawn inside the batch's transaction. So every
 * value drawn by a later batch is greater than every value of an earlier one, and a later batch commits
 * only after the earlier one did: a reader never sees a lower {@code change_seq} commit after a higher one,
 * which is what lets feeds resume from "everything after seq N" without gaps.
 */
@Singleton
public class ReplicaStore {

    // The guard is in the WHERE of DO UPDATE: an older or equal version leaves the row (and its
    // change_seq) untouched. EXCLUDED.change_seq is the nextval() the proposed row already drew.
    private static final String UPSERT = """
            INSERT INTO entity AS stored (entity_type, entity_id, version, clock_physical, clock_logical, writer,
                                          deleted, data, updated_at, applied_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, now())
            ON CONFLICT (entity_type, entity_id) DO UPDATE SET
                version = EXCLUDED.version, clock_physical = EXCLUDED.clock_physical,
                clock_logical = EXCLUDED.clock_logical, writer = EXCLUDED.writer, deleted = EXCLUDED.deleted,
                data = EXCLUDED.data, updated_at = EXCLUDED.updated_at, applied_at = EXCLUDED.applied_at,
                change_seq = EXCLUDED.change_seq
            WHERE stored.version < EXCLUDED.version""";

    // A Kafka tombstone comes only after the processor's retention of the versioned tombstone, which
    // the change feed has already carried; late older states are no longer expected by then.
    private static final String REMOVE = "DELETE FROM entity WHERE entity_type = ? AND entity_id = ?";

    private static final String SAVE_OFFSET = """
            INSERT INTO consumed_offset (topic, partition, next_offset) VALUES (?, ?, ?)
            ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset""";

    private static final String READ_OFFSETS = "SELECT topic, partition, next_offset FROM consumed_offset";

    // A backward scan of the unique index: one row read.
    private static final String HIGHEST_SEQ = "SELECT coalesce(max(change_seq), 0) FROM entity";

    private final DataSource dataSource;

    public ReplicaStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Applies the changes in order and saves the next offsets, in one transaction.
     *
     * @return what changed, known to be committed
     * @throws StoreException if anything fails; then nothing of the batch is stored
     */
    public AppliedBatch apply(StateBatch batch) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<StateChange> applied = writeChanges(connection, batch);
                saveOffsets(connection, batch.nextOffsets());
                long highest = applied.isEmpty() ? 0 : highestChangeSeq(connection);
                connection.commit();
                int upserts = (int) batch.changes().stream().filter(StateChange.Upsert.class::isInstance).count();
                int appliedUpserts = (int) applied.stream().filter(StateChange.Upsert.class::isInstance).count();
                return new AppliedBatch(applied, upserts - appliedUpserts, highest);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not store a batch of " + batch.changes().size() + " changes: " + e.getMessage(), e);
        }
    }

    /** The highest {@code change_seq} stored (0 when the store is empty): where the change feed stands. */
    public long highestChangeSeq() {
        try (Connection connection = dataSource.getConnection()) {
            return highestChangeSeq(connection);
        } catch (SQLException e) {
            throw new StoreException("could not read the highest change_seq: " + e.getMessage(), e);
        }
    }

    private static long highestChangeSeq(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(HIGHEST_SEQ); ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /** The offsets to resume from, for those of the given partitions that have been consumed before. */
    public Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(READ_OFFSETS);
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                TopicPartition partition = new TopicPartition(rows.getString("topic"), rows.getInt("partition"));
                if (partitions.contains(partition)) {
                    offsets.put(partition, rows.getLong("next_offset"));
                }
            }
            return offsets;
        } catch (SQLException e) {
            throw new StoreException("could not read the consumed offsets: " + e.getMessage(), e);
        }
    }

    /**
     * Upserts and removals go out as JDBC batches, flushed whenever the kind switches, so the
     * statements still run in consumption order (a removal between two upserts of a key matters).
     * The update count of each statement says whether it changed a row (0: the guard turned it away,
     * or there was nothing to remove).
     *
     * @return the changes that changed a row
     */
    private static List<StateChange> writeChanges(Connection connection, StateBatch batch) throws SQLException {
        List<StateChange> applied = new ArrayList<>(batch.changes().size());
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT);
             PreparedStatement remove = connection.prepareStatement(REMOVE)) {
            PreparedStatement pending = null;
            int pendingFrom = 0;
            List<StateChange> changes = batch.changes();
            for (int i = 0; i < changes.size(); i++) {
                StateChange change = changes.get(i);
                // Java 17 has no pattern switch; StateChange is sealed to exactly these two.
                PreparedStatement next = change instanceof StateChange.Upsert u
                        ? bindUpsert(upsert, u)
                        : bindRemoval(remove, (StateChange.Removal) change);
                if (pending != null && pending != next) {
                    collectApplied(pending.executeBatch(), changes, pendingFrom, applied);
                    pendingFrom = i;
                }
                next.addBatch();
                pending = next;
            }
            if (pending != null) {
                collectApplied(pending.executeBatch(), changes, pendingFrom, applied);
            }
        }
        return applied;
    }

    private static void collectApplied(int[] counts, List<StateChange> changes, int from, List<StateChange> applied) {
        for (int i = 0; i < counts.length; i++) {
            // SUCCESS_NO_INFO would only come from a rewriting driver setting; count it as applied.
            if (counts[i] > 0 || counts[i] == java.sql.Statement.SUCCESS_NO_INFO) {
                applied.add(changes.get(from + i));
            }
        }
    }

    private static PreparedStatement bindUpsert(PreparedStatement statement, StateChange.Upsert change) throws SQLException {
        statement.setString(1, change.type());
        statement.setString(2, change.id());
        statement.setLong(3, change.version());
        statement.setLong(4, change.clock().physicalMillis());
        statement.setInt(5, change.clock().logical());
        statement.setString(6, change.writer());
        statement.setBoolean(7, change.deleted());
        if (change.dataJson() == null) {
            statement.setNull(8, Types.VARCHAR);
        } else {
            statement.setString(8, change.dataJson());
        }
        statement.setObject(9, utc(change.updatedAt()));
        return statement;
    }

    private static PreparedStatement bindRemoval(PreparedStatement statement, StateChange.Removal change) throws SQLException {
        statement.setString(1, change.type());
        statement.setString(2, change.id());
        return statement;
    }

    private static void saveOffsets(Connection connection, Map<TopicPartition, Long> nextOffsets) throws SQLException {
        try (PreparedStatement save = connection.prepareStatement(SAVE_OFFSET)) {
            for (Map.Entry<TopicPartition, Long> entry : nextOffsets.entrySet()) {
                save.setString(1, entry.getKey().topic());
                save.setInt(2, entry.getKey().partition());
                save.setLong(3, entry.getValue());
                save.addBatch();
            }
            save.executeBatch();
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
