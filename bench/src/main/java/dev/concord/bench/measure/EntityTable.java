package dev.concord.bench.measure;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The table the replica measurements write beside consumer-service's: its rows without the guard and feed columns
 * ({@code entity_type, entity_id, version, data jsonb, applied_at}), and the one way every apply rate is read from it.
 */
final class EntityTable {

    private EntityTable() {
    }

    static void create(Connection db) throws SQLException {
        try (Statement ddl = db.createStatement()) {
            ddl.execute("CREATE TABLE entity (entity_type text, entity_id text, version bigint, data jsonb, applied_at timestamptz DEFAULT now(),"
                    + " PRIMARY KEY (entity_type, entity_id))");
        }
    }

    /**
     * Rows per second between the first and the last applied row ({@code applied_at} is the applying transaction's
     * {@code now()}); NaN when they all share one instant.
     */
    static double applyRate(Connection db) throws SQLException {
        try (Statement sql = db.createStatement();
             ResultSet rs = sql.executeQuery("SELECT count(*), extract(epoch from max(applied_at) - min(applied_at)) FROM entity")) {
            rs.next();
            double seconds = rs.getDouble(2);
            return seconds <= 0 ? Double.NaN : rs.getLong(1) / seconds;
        }
    }
}
