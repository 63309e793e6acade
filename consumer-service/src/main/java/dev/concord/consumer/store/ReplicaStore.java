package dev.concord.consumer.store;

import dev.concord.contract.json.AvroToJson;
import dev.concord.contract.text.LogSafe;
import dev.concord.replica.store.AppliedBatch;
import dev.concord.replica.store.DeadLetter;
import dev.concord.replica.store.RecordOrigin;
import dev.concord.replica.store.ReplicaSink;
import dev.concord.replica.store.StateBatch;
import dev.concord.replica.store.StateChange;
import dev.concord.replica.store.StoreException;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.PoisonPolicy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's write side in PostgreSQL: applies a {@link StateBatch} and records how far it got,
 * in one transaction.
 *
 * <p>Guarantees: a batch is stored entirely or not at all, together with its consumed offsets, so
 * resuming from {@link #storedOffsets} never loses or doubles a change. A stored version never goes
 * back: the upsert only replaces a row with a strictly greater version, which makes re-applying any
 * record harmless. Every row that changes takes a fresh {@code change_seq}.
 *
 * <p>Several instances of a replica may apply into one store at once, each its own partitions: batches run
 * in parallel and draw {@code change_seq} values as they go; after each commit the feed's head is raised
 * past what is settled ({@link ChangeSequence}, which holds the rule that keeps the change feed gap-free).
 */
@Singleton
public class ReplicaStore implements ReplicaSink {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaStore.class);

    // One statement per run of upserts: the batch's columns travel as arrays and unnest() turns them
    // into rows, which is many times faster than one statement per row. The guard is in the WHERE of
    // DO UPDATE: an older or equal version leaves the row (and its change_seq) untouched.
    // EXCLUDED.change_seq is the nextval() the proposed row already drew. RETURNING names the rows
    // that did change.
    // The version guard of every write to the entity table (a row alias "stored"): a proposed row replaces the stored
    // one, with a fresh change_seq, only for a greater version.
    static final String REPLACE_IF_NEWER = """
            ON CONFLICT (entity_type, entity_id) DO UPDATE SET
                version = EXCLUDED.version, clock_physical = EXCLUDED.clock_physical,
                clock_logical = EXCLUDED.clock_logical, writer = EXCLUDED.writer, deleted = EXCLUDED.deleted,
                data = EXCLUDED.data, updated_at = EXCLUDED.updated_at, applied_at = EXCLUDED.applied_at,
                change_seq = EXCLUDED.change_seq
            WHERE stored.version < EXCLUDED.version
            """;

    private static final String UPSERT = """
            INSERT INTO entity AS stored (entity_type, entity_id, version, clock_physical, clock_logical, writer,
                                          deleted, data, updated_at, applied_at)
            SELECT t, i, v, cp, cl, w, d, j::jsonb, u::timestamptz, now()
            FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::int[], ?::text[], ?::boolean[], ?::text[], ?::text[])
                 AS proposed(t, i, v, cp, cl, w, d, j, u)
            """ + REPLACE_IF_NEWER + "RETURNING entity_type, entity_id";

    // A repair writes the authoritative state over a row that is older or holds other data at the same version;
    // a row that moved past it since the verification (the applier runs on) is left alone.
    private static final String REPAIR_UPSERT = UPSERT.replace("WHERE stored.version < EXCLUDED.version",
            "WHERE stored.version <= EXCLUDED.version");

    // A row the authority does not hold goes, unless it changed since the verification read its version.
    private static final String REPAIR_REMOVE = """
            DELETE FROM entity AS stored USING unnest(?::text[], ?::text[], ?::bigint[]) AS seen(t, i, v)
            WHERE stored.entity_type = seen.t AND stored.entity_id = seen.i AND stored.version <= seen.v
            RETURNING stored.entity_type, stored.entity_id, stored.change_seq""";

    // A Kafka tombstone comes only after the processor's retention of the versioned tombstone, which
    // the change feed has already carried; late older states are no longer expected by then.
    private static final String REMOVE = """
            DELETE FROM entity WHERE (entity_type, entity_id) IN (SELECT * FROM unnest(?::text[], ?::text[]))
            RETURNING entity_type, entity_id, change_seq""";

    // A removed row's last change (its deletion) is no longer in the feed: cursors below it must resync.
    private static final String RAISE_PURGED = "UPDATE replica_store SET purged_seq = greatest(purged_seq, ?)";

    // ON CONFLICT: a record rewound and refused again is recorded once.
    private static final String DEAD_LETTER = """
            INSERT INTO replica_dead_letter (entity_type, entity_id, topic, partition, record_offset, version, reason,
                                             record_key, record_value)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (topic, partition, record_offset) DO NOTHING""";

    // Never backwards: an instance that lost a partition mid-batch (a zombie) cannot rewind it.
    private static final String SAVE_OFFSET = """
            INSERT INTO consumed_offset AS stored (topic, partition, next_offset) VALUES (?, ?, ?)
            ON CONFLICT (topic, partition) DO UPDATE SET next_offset = greatest(stored.next_offset, EXCLUDED.next_offset)""";

    private static final String READ_OFFSETS = "SELECT topic, partition, next_offset FROM consumed_offset";

    private final DataSource dataSource;
    private final ReplicaParking parking;

    /** A store that parks the entities of the types declared {@code "poison": "park"} (see {@link ReplicaParking}). */
    @Inject
    public ReplicaStore(DataSource dataSource, EntityTypes types) {
        this.dataSource = dataSource;
        this.parking = new ReplicaParking(types.all().stream().filter(type -> type.poison() == PoisonPolicy.PARK)
                .map(EntityType::name).collect(Collectors.toSet()));
    }

    /** A store that parks nothing: a dead-lettered state never holds back its entity's later ones. */
    public ReplicaStore(DataSource dataSource) {
        this.dataSource = dataSource;
        this.parking = new ReplicaParking(Set.of());
    }

    /**
     * Applies the changes in order, dead-letters what cannot be stored, and saves the next offsets, in one
     * transaction.
     *
     * <p>A batch is written as array statements (fast). If PostgreSQL refuses it for the data of a row
     * (SQLState class 22, a data exception such as {@code \u0000} in jsonb, or 54000, a value too large), the
     * batch is rolled back and written again row by row, each row behind a savepoint: the rows it refuses go
     * to {@code replica_dead_letter} with the reason, every other row is applied. So one bad record never
     * stops the replica. Any other failure (connection lost, server down) stores nothing and is thrown: the
     * applier pauses and retries, as for an outage.
     *
     * @return what changed and what was dead-lettered, known to be committed
     * @throws StoreException if the store fails; then nothing of the batch is stored
     */
    @Override
    public AppliedBatch apply(StateBatch batch) {
        AppliedBatch applied;
        try {
            applied = applyInTransaction(batch, false);
        } catch (StoreException e) {
            if (!(e.getCause() instanceof SQLException sql) || !isRowDataError(sql)) {
                throw e;
            }
            LOG.warn("A batch of {} changes was refused for the data of a row ({}); applying it row by row to "
                    + "dead-letter the rows the store refuses", batch.changes().size(), LogSafe.of(sql.getMessage()));
            applied = applyInTransaction(batch, true);
        }
        return applied.applied().isEmpty() ? applied : applied.withFeedHead(advanceFeedHead());
    }

    /**
     * Writes the authoritative state of the entities a verification found different (issue 15, docs/operations.md
     * "Verify and repair a replica"), through the same change feed as applied batches, without touching the consumed
     * offsets: {@code restore} upserts overwrite a row of an older or equal version, {@code remove} deletes a row
     * whose version is still at most the one seen. Rows that moved on since the verification are left as they are.
     *
     * A state the store refuses for its data (as a batch's row: SQLState class 22 or 54000) is left out, and returned
     * among the dead letters with the reason (not written to {@code replica_dead_letter}, where its record already is);
     * the other entities are repaired.
     *
     * @param remove each entity to remove, with the replica's version the verification saw
     * @return what changed, with the feed's head raised past it, and the states the store refused
     */
    public AppliedBatch repair(List<StateChange.Upsert> restore, Map<StateChange.Removal, Long> remove) {
        try {
            return repairInTransaction(restore, remove, false);
        } catch (StoreException e) {
            if (!(e.getCause() instanceof SQLException sql) || !isRowDataError(sql)) {
                throw e;
            }
            // As for a batch: one entity whose data the store refuses must not keep every other one unrepaired.
            return repairInTransaction(restore, remove, true);
        }
    }

    /** @param rowByRow each restored state behind a savepoint: one the store refuses is returned as a dead letter, not stored */
    private AppliedBatch repairInTransaction(List<StateChange.Upsert> restore, Map<StateChange.Removal, Long> remove,
                                             boolean rowByRow) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                ChangeSequence.drawing(connection);
                List<StateChange> applied = new ArrayList<>();
                List<DeadLetter> refused = new ArrayList<>();
                Collection<StateChange.Upsert> newest = StateChange.newestPerEntity(new ArrayList<>(restore));
                if (!rowByRow && !newest.isEmpty()) {
                    upsert(connection, REPAIR_UPSERT, newest, applied);
                } else {
                    for (StateChange.Upsert upsert : newest) {
                        Savepoint savepoint = connection.setSavepoint();
                        try {
                            upsert(connection, REPAIR_UPSERT, List.of(upsert), applied);
                            connection.releaseSavepoint(savepoint);
                        } catch (SQLException e) {
                            if (!isRowDataError(e)) {
                                throw e;
                            }
                            connection.rollback(savepoint);
                            refused.add(new DeadLetter(upsert.type(), upsert.id(), upsert.version(), "the store refused it: "
                                    + e.getMessage() + " (SQLState " + e.getSQLState() + ")", null));
                        }
                    }
                }
                long purged = remove.isEmpty() ? 0 : removeSeen(connection, remove, applied);
                if (purged > 0) {
                    raisePurged(connection, purged);
                }
                connection.commit();
                AppliedBatch repaired = new AppliedBatch(applied, 0, 0, refused);
                if (applied.isEmpty()) {
                    return repaired;
                }
                try {
                    return repaired.withFeedHead(advanceFeedHead());
                } catch (StoreException e) {
                    // Repaired and committed: the next batch, or a restart, raises the head past it (see advanceFeedHead).
                    LOG.warn("Repaired {} entities; the change feed's head will be raised by the next batch: {}", applied.size(),
                            LogSafe.of(e.getMessage()));
                    return repaired;
                }
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not repair " + (restore.size() + remove.size()) + " entities: " + e.getMessage(), e);
        }
    }

    private static long removeSeen(Connection connection, Map<StateChange.Removal, Long> remove, List<StateChange> applied)
            throws SQLException {
        Map<String, StateChange> byKey = new LinkedHashMap<>();
        remove.keySet().forEach(removal -> byKey.put(key(removal.type(), removal.id()), removal));
        long purged = 0;
        try (PreparedStatement statement = connection.prepareStatement(REPAIR_REMOVE)) {
            statement.setArray(1, connection.createArrayOf("text", remove.keySet().stream().map(StateChange::type).toArray()));
            statement.setArray(2, connection.createArrayOf("text", remove.keySet().stream().map(StateChange::id).toArray()));
            statement.setArray(3, connection.createArrayOf("bigint", remove.values().toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    applied.add(byKey.get(key(rows.getString(1), rows.getString(2))));
                    purged = Math.max(purged, rows.getLong(3));
                }
            }
        }
        return purged;
    }

    /** What a release did: whether the entity was parked, and the version it applied (null: nothing newer was held). */
    public record Released(boolean wasParked, Long appliedVersion) {
    }

    /**
     * An operator releases a parked entity (docs/operations.md, "Parked entities"): its newest held state is applied
     * through the version guard and the change feed, and the entity is no longer parked; its dead-lettered state stays
     * in {@code replica_dead_letter}, to replay or drop as for any dead letter.
     */
    public Released release(String type, String id) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                ChangeSequence.drawing(connection);
                Long version = null;
                try (PreparedStatement apply = connection.prepareStatement(ReplicaParking.RELEASE_HELD)) {
                    apply.setString(1, type);
                    apply.setString(2, id);
                    try (ResultSet rows = apply.executeQuery()) {
                        version = rows.next() ? rows.getLong(1) : null;
                    }
                }
                int unparked;
                try (PreparedStatement forget = connection.prepareStatement(ReplicaParking.FORGET_HELD);
                     PreparedStatement unpark = connection.prepareStatement(ReplicaParking.UNPARK)) {
                    forget.setString(1, type);
                    forget.setString(2, id);
                    forget.executeUpdate();
                    unpark.setString(1, type);
                    unpark.setString(2, id);
                    unparked = unpark.executeUpdate();
                }
                connection.commit();
                if (version != null) {
                    advanceFeedHead();
                }
                return new Released(unparked > 0, version);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not release a parked entity: " + e.getMessage(), e);
        }
    }

    /** The parked entities of a type, by id, at most {@code limit}. */
    public List<ReplicaParking.Parked> parked(String type, int limit) {
        try (Connection connection = dataSource.getConnection()) {
            return ReplicaParking.list(connection, type, limit);
        } catch (SQLException e) {
            throw new StoreException("could not list parked entities: " + e.getMessage(), e);
        }
    }

    /** Parked entities per type (types with none are absent), for the gauge. */
    public Map<String, Long> parkedCounts() {
        try (Connection connection = dataSource.getConnection()) {
            return ReplicaParking.countByType(connection);
        } catch (SQLException e) {
            throw new StoreException("could not count parked entities: " + e.getMessage(), e);
        }
    }

    /** A data exception about one row's values, which no retry will cure (not an outage). */
    static boolean isRowDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.equals("54000"));
    }

    private AppliedBatch applyInTransaction(StateBatch batch, boolean rowByRow) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                ChangeSequence.drawing(connection);
                ReplicaParking.Split split = parking.any() ? parking.split(connection, batch) : new ReplicaParking.Split(batch, List.of());
                StateBatch write = split.write();
                List<ReplicaParking.Held> held = split.held();
                List<DeadLetter> deadLetters = new ArrayList<>(batch.refused());
                Written written = rowByRow ? writeRowByRow(connection, write, deadLetters) : writeChanges(connection, write.changes());
                if (written.purgedSeq() > 0) {
                    raisePurged(connection, written.purgedSeq());
                }
                int heldRefused = 0;
                if (!rowByRow) {
                    parking.hold(connection, held);
                } else if (!held.isEmpty()) {
                    // Held before the dead letters are written: a held state the store refuses is one of them.
                    List<DeadLetter> refusedHeld = parking.holdRowByRow(connection, held);
                    refusedHeld.forEach(letter -> LOG.error("Dead-lettered {} '{}' version {} at {}: {}; the entity stays parked",
                            LogSafe.of(letter.entityType()), LogSafe.of(letter.entityId()), letter.version(),
                            describe(letter.origin()), LogSafe.of(letter.reason())));
                    deadLetters.addAll(refusedHeld);
                    heldRefused = refusedHeld.size();
                }
                deadLetter(connection, deadLetters);
                parking.park(connection, deadLetters);
                saveOffsets(connection, batch.nextOffsets());
                List<StateChange> applied = written.applied();
                connection.commit();
                if (!held.isEmpty()) {
                    LOG.info("{} states of parked entities held (GET /v1/replica/parked/<type>)", held.size());
                }
                int upserts = (int) write.changes().stream().filter(StateChange.Upsert.class::isInstance).count();
                int appliedUpserts = (int) applied.stream().filter(StateChange.Upsert.class::isInstance).count();
                int refusedUpserts = deadLetters.size() - batch.refused().size() - heldRefused;
                return new AppliedBatch(applied, Math.max(0, upserts - appliedUpserts - refusedUpserts), 0, deadLetters);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not store a batch of " + batch.changes().size() + " changes: " + e.getMessage(), e);
        }
    }

    /** The changes that changed a row, and the highest change_seq of a row a Kafka tombstone removed (0: none). */
    private record Written(List<StateChange> applied, long purgedSeq) {
    }

    /**
     * Each change on its own, behind a savepoint: a row PostgreSQL refuses for its data is rolled back alone
     * and dead-lettered; the others apply. The same changes are written as by {@link #writeChanges} (in runs, only
     * each entity's newest upsert of a run), so the outcome for the good rows is the same, and a refused state is
     * always its entity's newest of the batch: nothing of that entity after it is applied in this batch.
     */
    private static Written writeRowByRow(Connection connection, StateBatch batch, List<DeadLetter> deadLetters) throws SQLException {
        Map<StateChange, Integer> index = new java.util.IdentityHashMap<>();
        for (int i = 0; i < batch.changes().size(); i++) {
            index.put(batch.changes().get(i), i);
        }
        List<StateChange> applied = new ArrayList<>();
        long purged = 0;
        for (List<StateChange> run : StateChange.runs(batch.changes())) {
            Collection<? extends StateChange> written = run.get(0) instanceof StateChange.Removal ? run : StateChange.newestPerEntity(run);
            for (StateChange change : written) {
                Savepoint savepoint = connection.setSavepoint();
                try {
                    Written one = writeChanges(connection, List.of(change));
                    connection.releaseSavepoint(savepoint);
                    applied.addAll(one.applied());
                    purged = Math.max(purged, one.purgedSeq());
                } catch (SQLException e) {
                    if (!isRowDataError(e)) {
                        throw e;
                    }
                    connection.rollback(savepoint);
                    RecordOrigin origin = batch.origin(index.get(change));
                    Long version = change instanceof StateChange.Upsert upsert ? upsert.version() : null;
                    DeadLetter refused = new DeadLetter(change.type(), change.id(), version,
                            "the store refused it: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")", origin);
                    deadLetters.add(refused);
                    LOG.error("Dead-lettered {} '{}' version {} at {}: {}; the replica goes on with the next records",
                            LogSafe.of(change.type()), LogSafe.of(change.id()), version, describe(origin), LogSafe.of(refused.reason()));
                }
            }
        }
        return new Written(applied, purged);
    }

    private static String describe(RecordOrigin origin) {
        return origin == null ? "an unknown offset" : origin.topic() + "-" + origin.partition() + " offset " + origin.offset();
    }

    private static void raisePurged(Connection connection, long purgedSeq) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(RAISE_PURGED)) {
            update.setLong(1, purgedSeq);
            update.executeUpdate();
        }
    }

    private static void deadLetter(Connection connection, List<DeadLetter> deadLetters) throws SQLException {
        if (deadLetters.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(DEAD_LETTER)) {
            for (DeadLetter letter : deadLetters) {
                RecordOrigin origin = letter.origin();
                insert.setString(1, letter.entityType());
                insert.setString(2, letter.entityId());
                // Without an origin (a batch built by a tool or a test) the coordinates are null.
                insert.setString(3, origin == null ? null : origin.topic());
                insert.setObject(4, origin == null ? null : origin.partition(), Types.INTEGER);
                insert.setObject(5, origin == null ? null : origin.offset(), Types.BIGINT);
                insert.setObject(6, letter.version(), Types.BIGINT);
                insert.setString(7, letter.reason());
                insert.setBytes(8, origin == null ? null : origin.key());
                insert.setBytes(9, origin == null ? null : origin.value());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Where the change feed stands, raised first past whatever is settled: after a restart, this also covers
     * a batch that committed just before its instance stopped and had no time to raise the head.
     */
    @Override
    public long feedHead() {
        try (Connection connection = dataSource.getConnection()) {
            return ChangeSequence.behind(connection) ? ChangeSequence.advanceHead(connection) : ChangeSequence.head(connection);
        } catch (SQLException e) {
            throw new StoreException("could not read the change feed's head: " + e.getMessage(), e);
        }
    }

    /**
     * After a batch that changed rows: waits until no other instance's batch is drawing values (at most the
     * rest of one batch), then raises the head. A failure here loses nothing: the batch is committed, and the
     * next batch of any instance, or this one's restart ({@link #feedHead}), raises the head past it.
     */
    private long advanceFeedHead() {
        try (Connection connection = dataSource.getConnection()) {
            return ChangeSequence.advanceHead(connection);
        } catch (SQLException e) {
            throw new StoreException("the batch is stored, but the change feed's head could not be raised: " + e.getMessage(), e);
        }
    }

    /** The offsets to resume from, for those of the given partitions that have been consumed before. */
    @Override
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
     * @return the changes that changed a row, and the highest change_seq a removal took away
     */
    private static Written writeChanges(Connection connection, List<StateChange> changes) throws SQLException {
        List<StateChange> applied = new ArrayList<>(changes.size());
        long purged = 0;
        for (List<StateChange> run : StateChange.runs(changes)) {
            if (run.get(0) instanceof StateChange.Removal) {
                purged = Math.max(purged, remove(connection, run, applied));
            } else {
                upsert(connection, UPSERT, StateChange.newestPerEntity(run), applied);
            }
        }
        return new Written(applied, purged);
    }

    private static void upsert(Connection connection, String sql, Collection<StateChange.Upsert> upserts, List<StateChange> applied)
            throws SQLException {
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
            data[i] = json(upsert);
            updatedAt[i] = upsert.updatedAt() == null ? null : upsert.updatedAt().toString();
            byKey.put(key(upsert.type(), upsert.id()), upsert);
            i++;
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
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

    /**
     * The payload as the jsonb column holds it. A decoded payload holds only Avro's generic values, which all have a
     * JSON form; should one not, it is a data exception of its row, so the row is dead-lettered like a value
     * PostgreSQL refuses, not retried forever.
     */
    static String json(StateChange.Upsert upsert) throws SQLException {
        if (upsert.payload() == null) {
            return null;
        }
        try {
            return AvroToJson.toJson(upsert.payload()).toString();
        } catch (IllegalArgumentException e) {
            throw new SQLDataException("the payload has no JSON form: " + e.getMessage(), "22000", e);
        }
    }

    /** @return the highest change_seq of the removed rows (0: none) */
    private static long remove(Connection connection, List<StateChange> removals, List<StateChange> applied) throws SQLException {
        Map<String, StateChange> byKey = new LinkedHashMap<>();
        removals.forEach(removal -> byKey.putIfAbsent(key(removal.type(), removal.id()), removal));
        long purged = 0;
        try (PreparedStatement statement = connection.prepareStatement(REMOVE)) {
            statement.setArray(1, connection.createArrayOf("text", byKey.values().stream().map(StateChange::type).toArray()));
            statement.setArray(2, connection.createArrayOf("text", byKey.values().stream().map(StateChange::id).toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    applied.add(byKey.get(key(rows.getString(1), rows.getString(2))));
                    purged = Math.max(purged, rows.getLong(3));
                }
            }
        }
        return purged;
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
