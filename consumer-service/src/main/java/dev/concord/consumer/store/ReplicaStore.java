package dev.concord.consumer.store;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * <p>The change feed's invariant lives here: a reader never sees a lower {@code change_seq} commit after
 * a higher one, which is what lets feeds resume from "everything after seq N" without gaps. Values are
 * drawn inside the batch's transaction, and every batch transaction first takes one transaction-scoped
 * advisory lock ({@link #SEQ_LOCK}), held until it has committed: batches that draw values are
 * serialised, so every value a later batch draws is greater than every value of an earlier one, and
 * the later batch commits after the earlier one. With one applier thread (the usual case) the lock is
 * never contended; it is what keeps the invariant when several instances of a replica apply into one
 * store. Each commit that changed rows also notifies {@link #CHANNEL} with its highest seq, so the
 * feeds of every instance on this store wake up.
 */
@Singleton
public class ReplicaStore {

    // One statement per run of upserts: the batch's columns travel as arrays and unnest() turns them
    // into rows, which is many times faster than one statement per row. The guard is in the WHERE of
    // DO UPDATE: an older or equal version leaves the row (and its change_seq) untouched.
    // EXCLUDED.change_seq is the nextval() the proposed row already drew. RETURNING names the rows
    // that did change.
    private static final String UPSERT = """
            INSERT INTO entity AS stored (entity_type, entity_id, version, clock_physical, clock_logical, writer,
                                          deleted, data, updated_at, applied_at)
            SELECT t, i, v, cp, cl, w, d, j::jsonb, u::timestamptz, now()
            FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::int[], ?::text[], ?::boolean[], ?::text[], ?::text[])
                 AS proposed(t, i, v, cp, cl, w, d, j, u)
            ON CONFLICT (entity_type, entity_id) DO UPDATE SET
                version = EXCLUDED.version, clock_physical = EXCLUDED.clock_physical,
                clock_logical = EXCLUDED.clock_logical, writer = EXCLUDED.writer, deleted = EXCLUDED.deleted,
                data = EXCLUDED.data, updated_at = EXCLUDED.updated_at, applied_at = EXCLUDED.applied_at,
                change_seq = EXCLUDED.change_seq
            WHERE stored.version < EXCLUDED.version
            RETURNING entity_type, entity_id""";

    // A Kafka tombstone comes only after the processor's retention of the versioned tombstone, which
    // the change feed has already carried; late older states are no longer expected by then.
    private static final String REMOVE = """
            DELETE FROM entity WHERE (entity_type, entity_id) IN (SELECT * FROM unnest(?::text[], ?::text[]))
            RETURNING entity_type, entity_id""";

    /** The PostgreSQL channel told the highest change_seq of every commit that changed rows. */
    public static final String CHANNEL = "concord_changes";

    /** Advisory lock key (ASCII "concord" + 1) that serialises the transactions drawing change_seq values. */
    static final long SEQ_LOCK = 0x636f6e636f726401L;

    private static final String LOCK = "SELECT pg_advisory_xact_lock(" + SEQ_LOCK + ")";
    private static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', ?)";

    // Never backwards: an instance that lost a partition mid-batch (a zombie) cannot rewind it.
    private static final String SAVE_OFFSET = """
            INSERT INTO consumed_offset AS stored (topic, partition, next_offset) VALUES (?, ?, ?)
            ON CONFLICT (topic, partition) DO UPDATE SET next_offset = greatest(stored.next_offset, EXCLUDED.next_offset)""";

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
                execute(connection, LOCK);
                List<StateChange> applied = writeChanges(connection, batch);
                saveOffsets(connection, batch.nextOffsets());
                long highest = applied.isEmpty() ? 0 : highestChangeSeq(connection);
                if (highest > 0) {
                    notifyCommitted(connection, highest);
                }
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

    private static void execute(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet ignored = statement.executeQuery()) {
            // a SELECT of a void function: one row, nothing to read
        }
    }

    /** Delivered to listeners when (and only if) the transaction commits. */
    private static void notifyCommitted(Connection connection, long highest) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(NOTIFY)) {
            statement.setString(1, Long.toString(highest));
            statement.executeQuery().close();
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
     * Writes the changes in runs: consecutive upserts as one statement, consecutive removals as another,
     * in consumption order (a removal between two upserts of a key matters). Within a run of upserts
     * only the greatest version of each key is proposed (the first of equal ones): a sequence of
     * version-guarded upserts ends exactly where that one alone does, and one statement cannot touch
     * a row twice.
     *
     * @return the changes that changed a row
     */
    private static List<StateChange> writeChanges(Connection connection, StateBatch batch) throws SQLException {
        List<StateChange> applied = new ArrayList<>(batch.changes().size());
        List<StateChange> changes = batch.changes();
        int from = 0;
        while (from < changes.size()) {
            boolean removals = changes.get(from) instanceof StateChange.Removal;
            int to = from;
            while (to < changes.size() && (changes.get(to) instanceof StateChange.Removal) == removals) {
                to++;
            }
            List<StateChange> run = changes.subList(from, to);
            if (removals) {
                remove(connection, run, applied);
            } else {
                upsert(connection, newestPerKey(run), applied);
            }
            from = to;
        }
        return applied;
    }

    private static Collection<StateChange.Upsert> newestPerKey(List<StateChange> run) {
        Map<String, StateChange.Upsert> newest = new LinkedHashMap<>();
        for (StateChange change : run) {
            StateChange.Upsert upsert = (StateChange.Upsert) change;
            newest.merge(key(upsert.type(), upsert.id()), upsert, (kept, next) -> next.version() > kept.version() ? next : kept);
        }
        return newest.values();
    }

    private static void upsert(Connection connection, Collection<StateChange.Upsert> upserts, List<StateChange> applied) throws SQLException {
        int n = upserts.size();
        String[] types = new String[n];
        String[] ids = new String[n];
        Long[] versions = new Long[n];
        Long[] physical = new Long[n];
        Integer[] logical = new Integer[n];
        String[] writers = new String[n];
        Boolean[] deleted = new Boolean[n];
        String[] data = new String[n];
        String[] updatedAt = new String[n];
        Map<String, StateChange.Upsert> byKey = new HashMap<>(n * 2);
        int i = 0;
        for (StateChange.Upsert upsert : upserts) {
            types[i] = upsert.type();
            ids[i] = upsert.id();
            versions[i] = upsert.version();
            physical[i] = upsert.clock().physicalMillis();
            logical[i] = upsert.clock().logical();
            writers[i] = upsert.writer();
            deleted[i] = upsert.deleted();
            data[i] = upsert.dataJson();
            updatedAt[i] = upsert.updatedAt() == null ? null : upsert.updatedAt().toString();
            byKey.put(key(upsert.type(), upsert.id()), upsert);
            i++;
        }
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setArray(1, connection.createArrayOf("text", types));
            statement.setArray(2, connection.createArrayOf("text", ids));
            statement.setArray(3, connection.createArrayOf("bigint", versions));
            statement.setArray(4, connection.createArrayOf("bigint", physical));
            statement.setArray(5, connection.createArrayOf("integer", logical));
            statement.setArray(6, connection.createArrayOf("text", writers));
            statement.setArray(7, connection.createArrayOf("boolean", deleted));
            statement.setArray(8, connection.createArrayOf("text", data));
            statement.setArray(9, connection.createArrayOf("text", updatedAt));
            collectReturned(statement, byKey, applied);
        }
    }

    private static void remove(Connection connection, List<StateChange> removals, List<StateChange> applied) throws SQLException {
        Map<String, StateChange> byKey = new LinkedHashMap<>();
        removals.forEach(removal -> byKey.putIfAbsent(key(removal.type(), removal.id()), removal));
        try (PreparedStatement statement = connection.prepareStatement(REMOVE)) {
            statement.setArray(1, connection.createArrayOf("text", byKey.values().stream().map(StateChange::type).toArray()));
            statement.setArray(2, connection.createArrayOf("text", byKey.values().stream().map(StateChange::id).toArray()));
            collectReturned(statement, byKey, applied);
        }
    }

    private static void collectReturned(PreparedStatement statement, Map<String, ? extends StateChange> byKey,
                                        List<StateChange> applied) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                applied.add(byKey.get(key(rows.getString(1), rows.getString(2))));
            }
        }
    }

    private static String key(String type, String id) {
        return type + '\u0000' + id;
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
}
