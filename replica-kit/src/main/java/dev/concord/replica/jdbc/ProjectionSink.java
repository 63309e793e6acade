package dev.concord.replica.jdbc;

import dev.concord.contract.text.LogSafe;
import dev.concord.replica.store.AppliedBatch;
import dev.concord.replica.store.DeadLetter;
import dev.concord.replica.store.RecordOrigin;
import dev.concord.replica.store.ReplicaSink;
import dev.concord.replica.store.StateBatch;
import dev.concord.replica.store.StateChange;
import dev.concord.replica.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica into a team's own tables: each change goes to its type's {@link Projection}, in one transaction with
 * the version guard ({@code concord_replica_version}, tombstones included, so an older state never comes back) and the
 * consumed offsets ({@code concord_replica_offset}). The tables are in {@code replica-kit.sql} ({@link ReplicaTables}).
 *
 * <p>A batch is first written in runs: one guard statement for each run of upserts (the newest state per entity),
 * then the projection's {@link Projection#upsertAll} with the entities that were newer. A {@link ColumnProjection}
 * whose table keeps each entity's version guards itself instead: one statement writes the newer states, and the
 * guard table keeps only its deletions (so an older state cannot bring a deleted entity back). If a projection refuses a
 * record for its data (SQLState class 22 or 23)
 * or fails on it (a {@link RuntimeException}), the batch is rolled back and written again with a savepoint per
 * record: the records refused go to {@code concord_replica_dead_letter} with the reason, every other one applies.
 * Any other failure stores nothing and is thrown: the applier retries the whole batch, as for an outage.
 */
public final class ProjectionSink implements ReplicaSink {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionSink.class);

    // The guard: the upsert changes the row only for a greater version; 0 rows updated = not newer.
    private static final String GUARD = """
            INSERT INTO concord_replica_version AS stored (replica, entity_type, entity_id, version, deleted) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (replica, entity_type, entity_id) DO UPDATE SET version = EXCLUDED.version, deleted = EXCLUDED.deleted
            WHERE stored.version < EXCLUDED.version""";
    // The same guard for a run of upserts at once (one per key: ON CONFLICT may touch a row only once per statement);
    // RETURNING names the entities that were newer.
    private static final String GUARD_ALL = """
            INSERT INTO concord_replica_version AS stored (replica, entity_type, entity_id, version, deleted)
            SELECT ?, t, i, v, d FROM unnest(?::text[], ?::text[], ?::bigint[], ?::boolean[]) AS proposed(t, i, v, d)
            ON CONFLICT (replica, entity_type, entity_id) DO UPDATE SET version = EXCLUDED.version, deleted = EXCLUDED.deleted
            WHERE stored.version < EXCLUDED.version
            RETURNING entity_type, entity_id""";
    private static final String FORGET = "DELETE FROM concord_replica_version WHERE replica = ? AND entity_type = ? AND entity_id = ?";
    // Never backwards: an instance that lost a partition mid-batch cannot rewind it.
    private static final String SAVE_OFFSET = """
            INSERT INTO concord_replica_offset AS stored (replica, topic, partition, next_offset) VALUES (?, ?, ?, ?)
            ON CONFLICT (replica, topic, partition) DO UPDATE SET next_offset = greatest(stored.next_offset, EXCLUDED.next_offset)""";
    private static final String READ_OFFSETS = "SELECT topic, partition, next_offset FROM concord_replica_offset WHERE replica = ?";
    private static final String DEAD_LETTER = """
            INSERT INTO concord_replica_dead_letter (replica, topic, partition, record_offset, entity_type, entity_id, version,
                                                     reason, record_key, record_value)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (replica, topic, partition, record_offset) DO NOTHING""";

    private static final Comparator<TopicPartition> PARTITION_ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final DataSource dataSource;
    private final String replica;
    private final Map<String, TypeBinding<?>> bindings;

    /** @param replica the replica's name (its consumer group): its rows in the kit's tables */
    public ProjectionSink(DataSource dataSource, String replica, Collection<TypeBinding<?>> bindings) {
        this.dataSource = dataSource;
        this.replica = replica;
        this.bindings = new HashMap<>();
        bindings.forEach(binding -> this.bindings.put(binding.type(), binding));
    }

    /**
     * Each projection's {@link Projection#shape()} against its table.
     *
     * @param schemaOf a bound type's declared schema
     * @throws IllegalStateException naming every column that does not fit
     */
    public void checkTables(java.util.function.Function<String, org.apache.avro.Schema> schemaOf) {
        List<String> problems = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            for (TypeBinding<?> binding : bindings.values()) {
                var shape = binding.projection().shape();
                if (shape.isPresent()) {
                    shape.get().problems(connection, schemaOf.apply(binding.type())).forEach(p -> problems.add(binding.type() + ": " + p));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("replica " + replica + " could not read its tables' columns: " + e.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("replica " + replica + ": the tables do not fit the types' schemas:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    @Override
    public Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> stored = new HashMap<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement read = connection.prepareStatement(READ_OFFSETS)) {
            read.setString(1, replica);
            try (ResultSet rows = read.executeQuery()) {
                while (rows.next()) {
                    TopicPartition partition = new TopicPartition(rows.getString(1), rows.getInt(2));
                    if (partitions.contains(partition)) {
                        stored.put(partition, rows.getLong(3));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not read the stored offsets of replica " + replica + ": " + e.getMessage(), e);
        }
        return stored;
    }

    @Override
    public AppliedBatch apply(StateBatch batch) {
        try {
            return applyInTransaction(batch, false);
        } catch (RecordRefused e) {
            LOG.warn("A batch of {} changes has a record its projection refuses ({}); applying it record by record to "
                    + "dead-letter what is refused", batch.changes().size(), LogSafe.of(e.getMessage()));
            return applyInTransaction(batch, true);
        }
    }

    /** Every row of the replica, the kit's and the projections': the next start reads the state topics from their beginning. */
    public void forgetEverything() {
        inTransaction(connection -> {
            for (String table : List.of("concord_replica_offset", "concord_replica_version")) {
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE replica = ?")) {
                    delete.setString(1, replica);
                    delete.executeUpdate();
                }
            }
            for (TypeBinding<?> binding : bindings.values()) {
                binding.projection().clear(connection);
            }
            return null;
        });
    }

    private AppliedBatch applyInTransaction(StateBatch batch, boolean recordByRecord) {
        return inTransaction(connection -> {
            // Offsets first: their rows, locked in one order, make two transactions on a partition (an instance that
            // lost it mid-batch and its new owner) run one after the other, the second seeing what the first wrote.
            // A table that keeps its own versions relies on it: its upsert does not lock a deletion kept beside it.
            saveOffsets(connection, batch.nextOffsets());
            List<DeadLetter> deadLetters = new ArrayList<>(batch.refused());
            List<StateChange> applied = recordByRecord ? applyOneByOne(connection, batch, deadLetters) : applyInRuns(connection, batch.changes());
            int upserts = (int) batch.changes().stream().filter(StateChange.Upsert.class::isInstance).count();
            int appliedUpserts = (int) applied.stream().filter(StateChange.Upsert.class::isInstance).count();
            int refusedUpserts = deadLetters.size() - batch.refused().size();
            deadLetter(connection, deadLetters);
            return new AppliedBatch(applied, Math.max(0, upserts - appliedUpserts - refusedUpserts), 0, deadLetters);
        });
    }

    /**
     * The batch as consecutive runs of upserts and of removals, in order: each run of upserts is one guard statement
     * over the newest state per entity, then one {@link Projection#upsertAll} per type for the entities that were newer.
     * A record the projection refuses surfaces as {@link RecordRefused}: the caller writes the batch again one by one.
     */
    private List<StateChange> applyInRuns(Connection connection, List<StateChange> changes) throws SQLException {
        List<StateChange> applied = new ArrayList<>();
        for (List<StateChange> run : StateChange.runs(changes)) {
            try {
                if (run.get(0) instanceof StateChange.Upsert) {
                    applied.addAll(upsertRun(connection, run));
                } else {
                    for (StateChange removal : run) {
                        applyOne(connection, removal);
                        applied.add(removal);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (isRecordError(e)) {
                    throw new RecordRefused(e);
                }
                throw e;
            }
        }
        return applied;
    }

    private List<StateChange> upsertRun(Connection connection, List<StateChange> run) throws SQLException {
        List<StateChange.Upsert> guardedHere = new ArrayList<>();
        Map<String, List<StateChange.Upsert>> intoTablesKeepingVersions = new LinkedHashMap<>();
        List<StateChange> applied = new ArrayList<>();
        for (StateChange.Upsert upsert : StateChange.newestPerEntity(run)) {
            TypeBinding<?> binding = bindingOf(upsert);
            if (!binding.keepsVersions()) {
                guardedHere.add(upsert);
            } else if (upsert.deleted()) {
                if (deleteIfNewer(connection, binding, upsert)) {
                    applied.add(upsert);
                }
            } else {
                intoTablesKeepingVersions.computeIfAbsent(upsert.type(), type -> new ArrayList<>()).add(upsert);
            }
        }
        for (List<StateChange.Upsert> ofType : intoTablesKeepingVersions.values()) {
            Set<String> written = bindingOf(ofType.get(0)).upsertNewer(connection, replica, ofType);
            ofType.stream().filter(upsert -> written.contains(upsert.id())).forEach(applied::add);
        }
        if (!guardedHere.isEmpty()) {
            applied.addAll(upsertGuardedHere(connection, guardedHere));
        }
        return applied;
    }

    /** Upserts whose versions the kit's guard table keeps: one guard statement, then each type's projection with the newer. */
    private List<StateChange> upsertGuardedHere(Connection connection, List<StateChange.Upsert> newest) throws SQLException {
        Set<EntityKey> newer = guardAll(connection, newest);
        Map<String, List<StateChange.Upsert>> live = new LinkedHashMap<>();
        List<StateChange> applied = new ArrayList<>();
        for (StateChange.Upsert upsert : newest) {
            if (!newer.contains(new EntityKey(upsert.type(), upsert.id()))) {
                continue;
            }
            applied.add(upsert);
            if (upsert.deleted()) {
                bindingOf(upsert).projection().delete(connection, upsert.id());
            } else {
                live.computeIfAbsent(upsert.type(), type -> new ArrayList<>()).add(upsert);
            }
        }
        for (Map.Entry<String, List<StateChange.Upsert>> byType : live.entrySet()) {
            bindingOf(byType.getValue().get(0)).upsertAll(connection, byType.getValue());
        }
        return applied;
    }

    /**
     * A versioned deletion into a table that keeps versions: applied only over an older row (or none), and kept in the
     * guard table, so that an older state read later cannot bring the entity back.
     */
    private boolean deleteIfNewer(Connection connection, TypeBinding<?> binding, StateChange.Upsert deletion) throws SQLException {
        OptionalLong held = binding.versionOf(connection, deletion.id());
        if (held.isPresent() && held.getAsLong() >= deletion.version()) {
            return false;
        }
        if (!guardOne(connection, deletion)) {
            return false; // an equal or newer deletion is kept already
        }
        binding.projection().delete(connection, deletion.id());
        return true;
    }

    /** @return the entities whose upserts were newer than what the replica held */
    private Set<EntityKey> guardAll(Connection connection, Collection<StateChange.Upsert> upserts) throws SQLException {
        int n = upserts.size();
        String[] types = new String[n];
        String[] ids = new String[n];
        Long[] versions = new Long[n];
        Boolean[] deleted = new Boolean[n];
        int i = 0;
        for (StateChange.Upsert upsert : upserts) {
            types[i] = upsert.type();
            ids[i] = upsert.id();
            versions[i] = upsert.version();
            deleted[i] = upsert.deleted();
            i++;
        }
        Set<EntityKey> newer = new HashSet<>();
        try (PreparedStatement guard = connection.prepareStatement(GUARD_ALL)) {
            guard.setString(1, replica);
            guard.setArray(2, connection.createArrayOf("text", types));
            guard.setArray(3, connection.createArrayOf("text", ids));
            guard.setArray(4, connection.createArrayOf("bigint", versions));
            guard.setArray(5, connection.createArrayOf("boolean", deleted));
            try (ResultSet rows = guard.executeQuery()) {
                while (rows.next()) {
                    newer.add(new EntityKey(rows.getString(1), rows.getString(2)));
                }
            }
        }
        return newer;
    }

    /** Each change behind its own savepoint: what the projection refuses is dead-lettered alone. */
    private List<StateChange> applyOneByOne(Connection connection, StateBatch batch, List<DeadLetter> deadLetters) throws SQLException {
        List<StateChange> applied = new ArrayList<>();
        for (int i = 0; i < batch.changes().size(); i++) {
            StateChange change = batch.changes().get(i);
            Savepoint savepoint = connection.setSavepoint();
            try {
                if (applyOne(connection, change)) {
                    applied.add(change);
                }
                connection.releaseSavepoint(savepoint);
            } catch (SQLException | RuntimeException e) {
                if (!isRecordError(e)) {
                    throw e;
                }
                connection.rollback(savepoint);
                deadLetters.add(refuse(change, batch.origin(i), e));
            }
        }
        return applied;
    }

    private TypeBinding<?> bindingOf(StateChange change) {
        TypeBinding<?> binding = bindings.get(change.type());
        if (binding == null) {
            throw new IllegalStateException("no projection for type " + change.type() + "; bound: " + bindings.keySet());
        }
        return binding;
    }

    /** @return whether the change was newer than what the replica holds, and so reached the projection */
    private boolean applyOne(Connection connection, StateChange change) throws SQLException {
        TypeBinding<?> binding = bindingOf(change);
        if (change instanceof StateChange.Removal) {
            try (PreparedStatement forget = connection.prepareStatement(FORGET)) {
                forget.setString(1, replica);
                forget.setString(2, change.type());
                forget.setString(3, change.id());
                forget.executeUpdate();
            }
            binding.projection().delete(connection, change.id());
            return true;
        }
        StateChange.Upsert upsert = (StateChange.Upsert) change;
        if (binding.keepsVersions()) {
            return upsert.deleted() ? deleteIfNewer(connection, binding, upsert)
                    : !binding.upsertNewer(connection, replica, List.of(upsert)).isEmpty();
        }
        if (!guardOne(connection, upsert)) {
            return false;
        }
        if (upsert.deleted()) {
            binding.projection().delete(connection, upsert.id());
        } else {
            binding.upsert(connection, upsert);
        }
        return true;
    }

    /** @return whether the upsert's version is newer than the one the guard table held for the entity (now held) */
    private boolean guardOne(Connection connection, StateChange.Upsert upsert) throws SQLException {
        try (PreparedStatement guard = connection.prepareStatement(GUARD)) {
            guard.setString(1, replica);
            guard.setString(2, upsert.type());
            guard.setString(3, upsert.id());
            guard.setLong(4, upsert.version());
            guard.setBoolean(5, upsert.deleted());
            return guard.executeUpdate() > 0;
        }
    }

    /** A record's own fault (its data, or the projection failing on it), not the database away. */
    static boolean isRecordError(Exception e) {
        if (e instanceof RuntimeException) {
            return !(e instanceof StoreException);
        }
        String state = ((SQLException) e).getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.equals("54000"));
    }

    private DeadLetter refuse(StateChange change, RecordOrigin origin, Exception e) {
        Long version = change instanceof StateChange.Upsert upsert ? upsert.version() : null;
        String reason = "the projection refused it: " + e + (e instanceof SQLException sql ? " (SQLState " + sql.getSQLState() + ")" : "");
        LOG.error("Dead-lettered {} '{}' version {}: {}; replica {} goes on with the next records",
                LogSafe.of(change.type()), LogSafe.of(change.id()), version, LogSafe.of(reason), LogSafe.of(replica));
        return new DeadLetter(change.type(), change.id(), version, reason, origin);
    }

    private void deadLetter(Connection connection, List<DeadLetter> deadLetters) throws SQLException {
        if (deadLetters.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(DEAD_LETTER)) {
            for (DeadLetter letter : deadLetters) {
                RecordOrigin origin = letter.origin();
                insert.setString(1, replica);
                insert.setString(2, origin == null ? "" : origin.topic());
                insert.setInt(3, origin == null ? -1 : origin.partition());
                insert.setLong(4, origin == null ? -1 : origin.offset());
                insert.setString(5, letter.entityType());
                insert.setString(6, letter.entityId());
                insert.setObject(7, letter.version(), Types.BIGINT);
                insert.setString(8, letter.reason());
                insert.setBytes(9, origin == null ? null : origin.key());
                insert.setBytes(10, origin == null ? null : origin.value());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private void saveOffsets(Connection connection, Map<TopicPartition, Long> nextOffsets) throws SQLException {
        try (PreparedStatement save = connection.prepareStatement(SAVE_OFFSET)) {
            // one order for every transaction: two batches locking the same partitions never deadlock
            List<Map.Entry<TopicPartition, Long>> ordered = new ArrayList<>(nextOffsets.entrySet());
            ordered.sort(Map.Entry.comparingByKey(PARTITION_ORDER));
            for (Map.Entry<TopicPartition, Long> entry : ordered) {
                save.setString(1, replica);
                save.setString(2, entry.getKey().topic());
                save.setInt(3, entry.getKey().partition());
                save.setLong(4, entry.getValue());
                save.addBatch();
            }
            save.executeBatch();
        }
    }

    private interface Work<R> {
        R run(Connection connection) throws SQLException;
    }

    private <R> R inTransaction(Work<R> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                R result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("replica " + replica + " could not store a batch: " + e.getMessage(), e);
        }
    }

    private record EntityKey(String type, String id) {
    }

    /** A record of a batch written whole was refused: write it again record by record. */
    private static final class RecordRefused extends RuntimeException {
        RecordRefused(Exception cause) {
            super(cause.toString(), cause);
        }
    }
}
