package dev.concord.consumer.store;

import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.replica.store.StoreException;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The replica's read side: entities by type and id, pages of a type in id order, and the change feed
 * (rows in {@code change_seq} order after a cursor). Reads only committed batches, so a reader never
 * sees half of a poll's changes; see {@link ReplicaStore} for why a cursor never skips a change.
 */
@Singleton
public class EntityReader {

    private static final String FIND = """
            SELECT version, clock_physical, clock_logical, writer, deleted, data::text AS data,
                   updated_at, applied_at, change_seq
            FROM entity WHERE entity_type = ? AND entity_id = ?""";

    private static final String COLUMNS = """
            entity_type, entity_id, version, clock_physical, clock_logical, writer, deleted, data::text AS data,
            updated_at, applied_at, change_seq""";

    private static final String SCAN = "SELECT entity_id, version, deleted, data::text FROM entity WHERE entity_type = ?";

    // The primary key (entity_type, entity_id) serves the keyset.
    private static final String LIST = "SELECT " + COLUMNS + " FROM entity WHERE entity_type = ? AND entity_id > ? AND (? OR NOT deleted) ORDER BY entity_id LIMIT ?";

    // The unique index on change_seq serves both: a range scan from the cursor up to the feed's head (what is
    // settled, see ChangeSequence), stopped by the limit. Rows and head are read in one statement's snapshot,
    // which holds every row up to the head.
    private static final String UP_TO_HEAD = " AND change_seq <= (SELECT head_seq FROM replica_store)";
    private static final String CHANGES = "SELECT " + COLUMNS + " FROM entity WHERE change_seq > ?" + UP_TO_HEAD
            + " ORDER BY change_seq LIMIT ?";
    private static final String CHANGES_OF_TYPES = "SELECT " + COLUMNS
            + " FROM entity WHERE change_seq > ? AND entity_type = ANY (?)" + UP_TO_HEAD + " ORDER BY change_seq LIMIT ?";

    // What a cursor is checked against, read after the rows (see changesAfter(FeedCursor, ...)).
    private static final String HORIZON = """
            SELECT store_id, purged_seq,
                   (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM entity_change_seq) AS last_drawn
            FROM replica_store""";

    private final DataSource dataSource;
    private volatile String storeId;

    public EntityReader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** This store's id (random per database, see {@code V3__store_identity.sql}): the store a feed cursor names. */
    public String storeId() {
        String id = storeId;
        if (id == null) {
            try (Connection connection = dataSource.getConnection()) {
                id = horizon(connection).storeId();
                storeId = id;
            } catch (SQLException e) {
                throw new StoreException("could not read the store id: " + e.getMessage(), e);
            }
        }
        return id;
    }

    /**
     * The changes after {@code cursor}, like {@link #changesAfter(long, Collection, int)}, checked to be
     * complete: the rows are read first, then the store's horizon, so a purge that committed before the rows
     * were read is always seen.
     *
     * @throws CursorGoneException when the cursor names another store, is ahead of this store's feed, or is
     *                             older than the purge horizon (a removed row's deletion is no longer in the feed)
     */
    public List<StoredEntity> changesAfter(FeedCursor cursor, Collection<String> types, int limit) {
        try (Connection connection = dataSource.getConnection()) {
            List<StoredEntity> changes = changesAfter(connection, cursor.seq(), types, limit);
            Horizon horizon = horizon(connection);
            if (cursor.store() != null && !cursor.store().equals(horizon.storeId())) {
                throw new CursorGoneException("the cursor was issued by store '" + cursor.store() + "', not by this replica's store '"
                        + horizon.storeId() + "': its seq means nothing here", horizon.storeId());
            }
            if (cursor.seq() > horizon.lastDrawnSeq()) {
                throw new CursorGoneException("the cursor (seq " + cursor.seq() + ") is ahead of this store's change feed (last seq "
                        + horizon.lastDrawnSeq() + "): it comes from another store, or this store was rebuilt", horizon.storeId());
            }
            if (cursor.seq() > 0 && cursor.seq() < horizon.purgedSeq()) {
                throw new CursorGoneException("changes up to seq " + horizon.purgedSeq() + " include deletions this store has since "
                        + "purged (Kafka tombstones after the processor's retention); resuming after seq " + cursor.seq()
                        + " would miss them", horizon.storeId());
            }
            return changes;
        } catch (SQLException e) {
            throw new StoreException("could not read the changes after " + cursor.seq() + ": " + e.getMessage(), e);
        }
    }

    private record Horizon(String storeId, long purgedSeq, long lastDrawnSeq) {
    }

    private static Horizon horizon(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(HORIZON); ResultSet row = select.executeQuery()) {
            row.next();
            return new Horizon(row.getString("store_id"), row.getLong("purged_seq"), row.getLong("last_drawn"));
        }
    }

    /** What a verification compares of a row: its version, whether deleted, and its data as jsonb renders it. */
    public record RowFingerprint(String id, long version, boolean deleted, String dataJson) {
    }

    /** Every row of a type, deleted or not, streamed in pages of the driver's fetch size (a type may not fit in memory). */
    public void scan(String type, java.util.function.Consumer<RowFingerprint> visitor) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false); // the driver streams with a cursor only inside a transaction
            try (PreparedStatement select = connection.prepareStatement(SCAN)) {
                select.setFetchSize(5_000);
                select.setString(1, type);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        visitor.accept(new RowFingerprint(row.getString(1), row.getLong(2), row.getBoolean(3), row.getString(4)));
                    }
                }
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new StoreException("could not scan the rows of " + type + ": " + e.getMessage(), e);
        }
    }

    /** The stored row, deleted or not; empty when there is none. */
    public Optional<StoredEntity> find(String type, String id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(FIND)) {
            select.setString(1, type);
            select.setString(2, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(toEntity(type, id, row)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("could not read " + type + "/" + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * The rows changed after {@code afterSeq}, in {@code change_seq} order: each entity once, in its
     * current state (an entity changed twice since the cursor shows only its latest change).
     *
     * @param types only these types; empty for all
     */
    public List<StoredEntity> changesAfter(long afterSeq, Collection<String> types, int limit) {
        try (Connection connection = dataSource.getConnection()) {
            return changesAfter(connection, afterSeq, types, limit);
        } catch (SQLException e) {
            throw new StoreException("could not read the changes after " + afterSeq + ": " + e.getMessage(), e);
        }
    }

    private static List<StoredEntity> changesAfter(Connection connection, long afterSeq, Collection<String> types, int limit)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(types.isEmpty() ? CHANGES : CHANGES_OF_TYPES)) {
            int index = 1;
            select.setLong(index++, afterSeq);
            if (!types.isEmpty()) {
                select.setArray(index++, connection.createArrayOf("text", types.toArray()));
            }
            select.setInt(index, limit);
            return readAll(select);
        }
    }

    /**
     * A page of the type's entities with ids greater than {@code afterId}, in id order (keyset paging:
     * stable under concurrent changes, and every page costs the same).
     *
     * @param includeDeleted whether versioned tombstones are listed too
     */
    public EntityPage list(String type, String afterId, int limit, boolean includeDeleted) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(LIST)) {
            // Read before the page (autocommit: a snapshot per statement): whatever commits in between
            // is in the page and comes again on the feed; nothing can fall between the two.
            long watermark = ChangeSequence.head(connection);
            select.setString(1, type);
            select.setString(2, afterId == null ? "" : afterId);
            select.setBoolean(3, includeDeleted);
            select.setInt(4, limit + 1);
            List<StoredEntity> entities = readAll(select);
            boolean more = entities.size() > limit;
            List<StoredEntity> page = more ? entities.subList(0, limit) : entities;
            return new EntityPage(page, more ? page.get(page.size() - 1).id() : null, watermark);
        } catch (SQLException e) {
            throw new StoreException("could not list " + type + " after '" + afterId + "': " + e.getMessage(), e);
        }
    }

    private static List<StoredEntity> readAll(PreparedStatement select) throws SQLException {
        List<StoredEntity> entities = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                entities.add(toEntity(rows.getString("entity_type"), rows.getString("entity_id"), rows));
            }
        }
        return entities;
    }

    private static StoredEntity toEntity(String type, String id, ResultSet row) throws SQLException {
        return new StoredEntity(type, id,
                row.getLong("version"),
                new HlcTimestamp(row.getLong("clock_physical"), row.getInt("clock_logical")),
                row.getString("writer"),
                row.getBoolean("deleted"),
                row.getString("data"),
                instant(row.getObject("updated_at", OffsetDateTime.class)),
                instant(row.getObject("applied_at", OffsetDateTime.class)),
                row.getLong("change_seq"));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
