package dev.concord.consumer.store;

import dev.concord.replica.store.StoreException;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads {@code replica_dead_letter}: the records this replica could not store, oldest first. */
@Singleton
public class DeadLetterReader {

    /** One dead-lettered record as stored; {@code key} and {@code value} are the original bytes. */
    public record StoredDeadLetter(long id, String entityType, String entityId, String topic, Integer partition, Long offset,
                                   Long version, String reason, byte[] key, byte[] value, Instant deadLetteredAt) {
    }

    private static final String PAGE = """
            SELECT id, entity_type, entity_id, topic, partition, record_offset, version, reason, record_key, record_value,
                   dead_lettered_at
            FROM replica_dead_letter WHERE id > ? ORDER BY id LIMIT ?""";

    private final DataSource dataSource;

    public DeadLetterReader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Up to {@code limit} dead letters with an id greater than {@code afterId}, in id order. */
    public List<StoredDeadLetter> after(long afterId, int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(PAGE)) {
            select.setLong(1, afterId);
            select.setInt(2, limit);
            List<StoredDeadLetter> letters = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    OffsetDateTime at = row.getObject("dead_lettered_at", OffsetDateTime.class);
                    letters.add(new StoredDeadLetter(row.getLong("id"), row.getString("entity_type"), row.getString("entity_id"),
                            row.getString("topic"), row.getObject("partition", Integer.class), row.getObject("record_offset", Long.class),
                            row.getObject("version", Long.class), row.getString("reason"), row.getBytes("record_key"),
                            row.getBytes("record_value"), at == null ? null : at.toInstant()));
                }
            }
            return letters;
        } catch (SQLException e) {
            throw new StoreException("could not read the replica dead-letter after " + afterId + ": " + e.getMessage(), e);
        }
    }
}
