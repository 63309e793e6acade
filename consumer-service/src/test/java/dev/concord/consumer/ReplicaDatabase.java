package dev.concord.consumer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/** Looks straight into a replica's database, to check what the applier stored. */
public final class ReplicaDatabase {

    /** The columns a test checks of one {@code entity} row. */
    public record Row(long version, boolean deleted, String dataJson, long changeSeq) {
    }

    private final String jdbcUrl;

    public ReplicaDatabase(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    public Optional<Row> entity(String type, String id) {
        return query("SELECT version, deleted, data::text AS data, change_seq FROM entity WHERE entity_type = ? AND entity_id = ?",
                statement -> {
                    statement.setString(1, type);
                    statement.setString(2, id);
                    try (ResultSet row = statement.executeQuery()) {
                        return row.next()
                                ? Optional.of(new Row(row.getLong("version"), row.getBoolean("deleted"), row.getString("data"), row.getLong("change_seq")))
                                : Optional.<Row>empty();
                    }
                });
    }

    /** The stored next offset per partition (empty before the applier's first batch). */
    public Map<TopicPartition, Long> consumedOffsets() {
        return query("SELECT topic, partition, next_offset FROM consumed_offset", statement -> {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    offsets.put(new TopicPartition(rows.getString("topic"), rows.getInt("partition")), rows.getLong("next_offset"));
                }
            }
            return offsets;
        });
    }

    public long consumedOffset(TopicPartition partition) {
        return consumedOffsets().getOrDefault(partition, 0L);
    }

    /** The last change_seq value drawn, applied or not (0 before the first). */
    public long lastDrawnChangeSeq() {
        return query("SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS drawn FROM entity_change_seq", statement -> {
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong("drawn");
            }
        });
    }

    private interface Query<T> {
        T run(PreparedStatement statement) throws SQLException;
    }

    private <T> T query(String sql, Query<T> query) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
             PreparedStatement statement = connection.prepareStatement(sql)) {
            return query.run(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
