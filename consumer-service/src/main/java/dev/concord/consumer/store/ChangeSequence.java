package dev.concord.consumer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The feed's head: the highest {@code change_seq} committed in the store (0 when empty); one index read. */
public final class ChangeSequence {

    private static final String HIGHEST = "SELECT coalesce(max(change_seq), 0) FROM entity";

    private ChangeSequence() {
    }

    public static long highest(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(HIGHEST); ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }
}
