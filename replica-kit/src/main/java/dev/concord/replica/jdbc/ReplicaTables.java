package dev.concord.replica.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** The kit's own tables ({@code replica-kit.sql}): created if absent, or copied into a team's migrations. */
public final class ReplicaTables {

    public static final String SCRIPT = "dev/concord/replica/jdbc/replica-kit.sql";

    private ReplicaTables() {
    }

    public static String script() {
        try (InputStream in = ReplicaTables.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("no " + SCRIPT + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void createIfAbsent(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(script());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the replica kit's tables: " + e.getMessage(), e);
        }
    }
}
