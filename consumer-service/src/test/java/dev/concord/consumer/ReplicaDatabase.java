package dev.concord.consumer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

    public String jdbcUrl() {
        return jdbcUrl;
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

    /** Every row of the type by id. */
    public Map<String, Row> rows(String type) {
        return query("SELECT entity_id, version, deleted, data::text AS data, change_seq FROM entity WHERE entity_type = ?", statement -> {
            statement.setString(1, type);
            Map<String, Row> rows = new HashMap<>();
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    rows.put(row.getString("entity_id"),
                            new Row(row.getLong("version"), row.getBoolean("deleted"), row.getString("data"), row.getLong("change_seq")));
                }
            }
            return rows;
        });
    }

    /** The replicated content of every row, in key order: what two replicas of the same topics must agree on. */
    public List<String> content() {
        return query("SELECT entity_type, entity_id, version, deleted, data::text AS data, writer, clock_physical, clock_logical, updated_at"
                + " FROM entity ORDER BY entity_type, entity_id", statement -> {
            List<String> rows = new ArrayList<>();
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    rows.add(String.join("|", row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                            row.getString(5), row.getString(6), row.getString(7), row.getString(8), row.getString(9)));
                }
            }
            return rows;
        });
    }

    public long count(String type) {
        return query("SELECT count(*) FROM entity WHERE entity_type = ?", statement -> {
            statement.setString(1, type);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
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
