package dev.concord.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.serde.PayloadCodec;
import dev.concord.contract.types.EntityType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes events as a service with a transactional outbox does: one {@code concord_outbox_append} per change, in its own
 * transaction, on the schedule; producer-service's relay publishes them (the clock is the database's). A failed append
 * (PostgreSQL away) is tried again until it commits: a business transaction that did not commit wrote nothing.
 */
public final class OutboxLoad {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GIVE_UP = Duration.ofMinutes(2);
    private static final String APPEND = "SELECT concord_outbox_append(?, ?, ?, ?::jsonb, ?::text[])";

    private final String jdbcUrl;
    private final EntityType type;
    private final PayloadCodec payloads;

    public OutboxLoad(String jdbcUrl, EntityType type, PayloadCodec payloads) {
        this.jdbcUrl = jdbcUrl;
        this.type = type;
        this.payloads = payloads;
    }

    /** @return how many appends were tried again after a failure */
    public int send(List<EntityEvent> events, List<Long> intendedAtMs) throws Exception {
        long start = System.nanoTime();
        int retries = 0;
        Connection connection = null;
        try {
            for (int i = 0; i < events.size(); i++) {
                Pacing.waitUntil(start + TimeUnit.MILLISECONDS.toNanos(intendedAtMs.get(i)));
                long deadline = System.nanoTime() + GIVE_UP.toNanos();
                while (true) {
                    try {
                        if (connection == null) {
                            connection = DriverManager.getConnection(jdbcUrl);
                        }
                        append(connection, events.get(i));
                        break;
                    } catch (SQLException e) {
                        closeQuietly(connection);
                        connection = null;
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("the outbox took no append for " + GIVE_UP, e);
                        }
                        retries++;
                        TimeUnit.MILLISECONDS.sleep(200); // a service's back-off before its transaction is tried again
                    }
                }
            }
        } finally {
            closeQuietly(connection);
        }
        return retries;
    }

    private void append(Connection connection, EntityEvent event) throws Exception {
        try (PreparedStatement append = connection.prepareStatement(APPEND)) {
            append.setString(1, type.name());
            append.setString(2, event.getEntityId());
            append.setString(3, event.getOp().name());
            ObjectNode body = ClientBody.of(event, type, payloads);
            append.setString(4, body == null ? null : JSON.writeValueAsString(body));
            append.setArray(5, event.getOp() == Operation.PATCH
                    ? connection.createArrayOf("text", event.getChangedFields().stream().map(Object::toString).toArray()) : null);
            append.execute();
        }
    }

    /** Rows the relay has not published yet, and rows it moved to the dead table (each a write that was not made). */
    public static long[] pendingAndDead(String jdbcUrl) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
             var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT (SELECT count(*) FROM concord_outbox), (SELECT count(*) FROM concord_outbox_dead)")) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2)};
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // a broken connection: nothing to close cleanly
            }
        }
    }
}
