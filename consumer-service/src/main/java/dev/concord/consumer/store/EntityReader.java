package dev.concord.consumer.store;

import dev.concord.contract.clock.HlcTimestamp;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The replica's read side: looks entities up by type and id. Reads only committed batches, so a
 * reader never sees half of a poll's changes.
 */
@Singleton
public class EntityReader {

    private static final String FIND = """
            SELECT version, clock_physical, clock_logical, writer, deleted, data::text AS data,
                   updated_at, applied_at, change_seq
            FROM entity WHERE entity_type = ? AND entity_id = ?""";

    private final DataSource dataSource;

    public EntityReader(DataSource dataSource) {
        this.dataSource = dataSource;
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
