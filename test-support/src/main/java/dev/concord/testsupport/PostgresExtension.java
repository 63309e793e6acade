package dev.concord.testsupport;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import dev.concord.local.postgres.LogicalReplicationPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded PostgreSQL 14 per test JVM (zonky binaries, ~4 s to start), and a fresh database per caller so tests
 * never share state: {@code String url = PostgresExtension.createDatabase();}.
 *
 * <p>Runs with {@code wal_level=logical} so change-data-capture (Debezium) tests can create replication slots.
 * The user is {@value #USER} without a password; the returned URL already carries it. Like
 * {@link KafkaBrokerExtension}, registering the extension is optional: it only ties shutdown to the end of the JUnit run.
 */
public final class PostgresExtension implements BeforeAllCallback {

    public static final String USER = "postgres";
    public static final String PASSWORD = "";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    private static EmbeddedPostgres postgres;

    /** The shared server, started on first call. */
    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            // zonky registers its own JVM shutdown hook as a fallback.
            postgres = LogicalReplicationPostgres.start(null).server();
        }
        return postgres;
    }

    /** Creates an empty database with a unique name and returns its JDBC URL (user included). */
    public static String createDatabase() {
        EmbeddedPostgres pg = postgres();
        String name = KafkaTestClients.uniqueId("test").replace('-', '_').toLowerCase();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + name, e);
        }
        return pg.getJdbcUrl(USER, name);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Stopper.class, k -> new Stopper(postgres()), Stopper.class);
    }

    private record Stopper(EmbeddedPostgres postgres) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            synchronized (PostgresExtension.class) {
                postgres.close();
                if (PostgresExtension.postgres == postgres) {
                    PostgresExtension.postgres = null;
                }
            }
        }
    }
}
