package dev.concord.consumer.store;

import dev.concord.replica.store.DeadLetter;
import dev.concord.replica.store.RecordOrigin;
import dev.concord.replica.store.StateBatch;
import dev.concord.replica.store.StateChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parking at the replica, for the types declared {@code "poison": "park"}: a state this replica dead-letters parks its
 * entity ({@code replica_parked}), and the entity's later states are held ({@code replica_held}, the newest one) instead
 * of being applied past it, until an operator releases it. Every statement runs in the batch's own transaction, so a
 * state is applied, held or dead-lettered, never neither. For the other types nothing here runs.
 */
final class ReplicaParking {

    private static final String FIND_PARKED = """
            SELECT entity_type, entity_id FROM replica_parked
            WHERE (entity_type, entity_id) IN (SELECT * FROM unnest(?::text[], ?::text[]))""";

    private static final String PARK = """
            INSERT INTO replica_parked (entity_type, entity_id, reason, topic, partition, record_offset)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (entity_type, entity_id) DO NOTHING""";

    // Only the newest held state is kept: states are whole, so it is where applying all of them in order would end.
    private static final String HOLD = """
            INSERT INTO replica_held AS held (entity_type, entity_id, version, clock_physical, clock_logical, writer, deleted,
                                              data, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::timestamptz)
            ON CONFLICT (entity_type, entity_id) DO UPDATE SET
                held_count = held.held_count + 1,
                version = greatest(held.version, EXCLUDED.version),
                clock_physical = CASE WHEN EXCLUDED.version > held.version THEN EXCLUDED.clock_physical ELSE held.clock_physical END,
                clock_logical = CASE WHEN EXCLUDED.version > held.version THEN EXCLUDED.clock_logical ELSE held.clock_logical END,
                writer = CASE WHEN EXCLUDED.version > held.version THEN EXCLUDED.writer ELSE held.writer END,
                deleted = CASE WHEN EXCLUDED.version > held.version THEN EXCLUDED.deleted ELSE held.deleted END,
                data = CASE WHEN EXCLUDED.version > held.version THEN EXCLUDED.data ELSE held.data END,
                updated_at = CASE WHEN EXCLUDED.version > held.version THEN EXCLUDED.updated_at ELSE held.updated_at END""";

    // A release: the held state goes to the entity table through the same version guard as any state.
    static final String RELEASE_HELD = """
            INSERT INTO entity AS stored (entity_type, entity_id, version, clock_physical, clock_logical, writer, deleted,
                                          data, updated_at, applied_at)
            SELECT entity_type, entity_id, version, clock_physical, clock_logical, writer, deleted, data, updated_at, now()
            FROM replica_held WHERE entity_type = ? AND entity_id = ?
            """ + ReplicaStore.REPLACE_IF_NEWER + "RETURNING version";

    static final String FORGET_HELD = "DELETE FROM replica_held WHERE entity_type = ? AND entity_id = ?";
    static final String UNPARK = "DELETE FROM replica_parked WHERE entity_type = ? AND entity_id = ?";

    private static final String LIST = """
            SELECT p.entity_id, p.reason, p.topic, p.partition, p.record_offset, p.parked_at, h.version, h.held_count
            FROM replica_parked p LEFT JOIN replica_held h USING (entity_type, entity_id)
            WHERE p.entity_type = ? ORDER BY p.entity_id LIMIT ?""";

    private static final String COUNT = "SELECT entity_type, count(*) FROM replica_parked GROUP BY entity_type";

    private final Set<String> parkingTypes;

    ReplicaParking(Set<String> parkingTypes) {
        this.parkingTypes = Set.copyOf(parkingTypes);
    }

    boolean any() {
        return !parkingTypes.isEmpty();
    }

    boolean parks(String type) {
        return parkingTypes.contains(type);
    }

    /** What a batch writes and what it holds. {@code write} keeps the batch's offsets and dead letters. */
    record Split(StateBatch write, List<Held> held) {
    }

    /** A state held for its parked entity, with the record it came from (null when the batch has no origins). */
    record Held(StateChange.Upsert state, RecordOrigin origin) {
    }

    /**
     * Holds the states of entities parked before this batch, and those after a record of the same entity this batch
     * dead-letters (the decoder refused it). A Kafka tombstone (removal) is never held: it comes a retention after
     * the entity's deletion, which nothing held can undo.
     */
    Split split(Connection connection, StateBatch batch) throws SQLException {
        Map<String, Long> refusedAt = new HashMap<>();
        for (DeadLetter refused : batch.refused()) {
            if (parks(refused.entityType()) && refused.entityId() != null && refused.origin() != null) {
                refusedAt.merge(key(refused.entityType(), refused.entityId()), refused.origin().offset(), Math::min);
            }
        }
        Set<String> parked = parkedAmong(connection, batch.changes());
        if (parked.isEmpty() && refusedAt.isEmpty()) {
            return new Split(batch, List.of());
        }
        List<StateChange> write = new ArrayList<>();
        List<RecordOrigin> origins = new ArrayList<>();
        List<Held> held = new ArrayList<>();
        for (int i = 0; i < batch.changes().size(); i++) {
            StateChange change = batch.changes().get(i);
            String key = key(change.type(), change.id());
            RecordOrigin origin = batch.origin(i);
            Long refused = refusedAt.get(key);
            boolean behindRefused = refused != null && origin != null && origin.offset() > refused;
            if (change instanceof StateChange.Upsert upsert && (parked.contains(key) || behindRefused)) {
                held.add(new Held(upsert, origin));
            } else {
                write.add(change);
                origins.add(origin);
            }
        }
        boolean aligned = batch.origins().size() == batch.changes().size();
        return new Split(new StateBatch(write, batch.nextOffsets(), aligned ? origins : List.of(), batch.refused()), held);
    }

    private Set<String> parkedAmong(Connection connection, List<StateChange> changes) throws SQLException {
        List<String> types = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (StateChange change : changes) {
            if (parks(change.type())) {
                types.add(change.type());
                ids.add(change.id());
            }
        }
        Set<String> parked = new HashSet<>();
        if (types.isEmpty()) {
            return parked;
        }
        try (PreparedStatement find = connection.prepareStatement(FIND_PARKED)) {
            find.setArray(1, connection.createArrayOf("text", types.toArray()));
            find.setArray(2, connection.createArrayOf("text", ids.toArray()));
            try (ResultSet rows = find.executeQuery()) {
                while (rows.next()) {
                    parked.add(key(rows.getString(1), rows.getString(2)));
                }
            }
        }
        return parked;
    }

    void hold(Connection connection, List<Held> held) throws SQLException {
        if (held.isEmpty()) {
            return;
        }
        try (PreparedStatement hold = connection.prepareStatement(HOLD)) {
            for (Held one : held) {
                bindHeld(hold, one.state());
                hold.addBatch();
            }
            hold.executeBatch();
        }
    }

    private static void bindHeld(PreparedStatement hold, StateChange.Upsert upsert) throws SQLException {
        hold.setString(1, upsert.type());
        hold.setString(2, upsert.id());
        hold.setLong(3, upsert.version());
        hold.setLong(4, upsert.clock().physicalMillis());
        hold.setInt(5, upsert.clock().logical());
        hold.setString(6, upsert.writer());
        hold.setBoolean(7, upsert.deleted());
        hold.setString(8, ReplicaStore.json(upsert));
        hold.setString(9, upsert.updatedAt() == null ? null : upsert.updatedAt().toString());
    }

    /**
     * Holds each state on its own, behind a savepoint: one the store refuses for its data (SQLState class 22 or 54000,
     * as for an applied state) is rolled back alone and returned as a dead letter, the entity staying parked; the others
     * are held. Without this a held state the store refuses would fail its batch for ever, and the replica with it.
     */
    List<DeadLetter> holdRowByRow(Connection connection, List<Held> held) throws SQLException {
        List<DeadLetter> refused = new ArrayList<>();
        for (Held one : held) {
            Savepoint savepoint = connection.setSavepoint();
            try (PreparedStatement hold = connection.prepareStatement(HOLD)) {
                bindHeld(hold, one.state());
                hold.executeUpdate();
                connection.releaseSavepoint(savepoint);
            } catch (SQLException e) {
                if (!ReplicaStore.isRowDataError(e)) {
                    throw e;
                }
                connection.rollback(savepoint);
                StateChange.Upsert state = one.state();
                refused.add(new DeadLetter(state.type(), state.id(), state.version(), "held behind a parked state, but the "
                        + "store refused it: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")", one.origin()));
            }
        }
        return refused;
    }

    /** Parks the entities of the dead letters of types that park (a dead letter without an entity id parks nothing). */
    void park(Connection connection, List<DeadLetter> deadLetters) throws SQLException {
        List<DeadLetter> parking = deadLetters.stream().filter(letter -> parks(letter.entityType()) && letter.entityId() != null).toList();
        if (parking.isEmpty()) {
            return;
        }
        try (PreparedStatement park = connection.prepareStatement(PARK)) {
            for (DeadLetter letter : parking) {
                RecordOrigin origin = letter.origin();
                park.setString(1, letter.entityType());
                park.setString(2, letter.entityId());
                park.setString(3, letter.reason());
                park.setString(4, origin == null ? null : origin.topic());
                park.setObject(5, origin == null ? null : origin.partition(), Types.INTEGER);
                park.setObject(6, origin == null ? null : origin.offset(), Types.BIGINT);
                park.addBatch();
            }
            park.executeBatch();
        }
    }

    /** A parked entity as an operator sees it. */
    public record Parked(String id, String reason, String topic, Integer partition, Long offset, Instant parkedAt,
                         Long heldVersion, long heldStates) {
    }

    static List<Parked> list(Connection connection, String type, int limit) throws SQLException {
        List<Parked> parked = new ArrayList<>();
        try (PreparedStatement list = connection.prepareStatement(LIST)) {
            list.setString(1, type);
            list.setInt(2, limit);
            try (ResultSet rows = list.executeQuery()) {
                while (rows.next()) {
                    Timestamp at = rows.getTimestamp(6);
                    parked.add(new Parked(rows.getString(1), rows.getString(2), rows.getString(3),
                            (Integer) rows.getObject(4), (Long) rows.getObject(5), at == null ? null : at.toInstant(),
                            (Long) rows.getObject(7), rows.getObject(8) == null ? 0 : rows.getLong(8)));
                }
            }
        }
        return parked;
    }

    static Map<String, Long> countByType(Connection connection) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        try (PreparedStatement count = connection.prepareStatement(COUNT); ResultSet rows = count.executeQuery()) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        }
        return counts;
    }

    static String key(String type, String id) {
        return type + '\u0000' + id;
    }
}
