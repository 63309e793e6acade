package dev.concord.consumer.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the store is: a configured PostgreSQL, or, when no JDBC URL is configured, a PostgreSQL
 * server started in this process from Maven-served binaries (the embedded default store). Closing
 * stops the embedded server, if any; a configured database is left alone.
 */
public final class StoreLocation implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoreLocation.class);
    private static final String EMBEDDED_USER = "postgres";
    private static final String EMBEDDED_DATABASE = "postgres";

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final EmbeddedPostgres embedded;

    private StoreLocation(String jdbcUrl, String user, String password, EmbeddedPostgres embedded) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    public static StoreLocation configured(String jdbcUrl, String user, String password) {
        return new StoreLocation(jdbcUrl, user, password, null);
    }

    /**
     * Starts an embedded PostgreSQL.
     *
     * @param dataDir where its data lives, kept across restarts; {@code null} for a temporary directory
     *                that is wiped on every start
     */
    public static StoreLocation embedded(Path dataDir) {
        try {
            // zonky starts PostgreSQL tuned for throwaway test databases (fsync and synchronous_commit
            // off). This store is the replica's truth: its rows and consumed offsets must survive a
            // crash, or a restarted replica would resume past records it never durably applied.
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on");
            if (dataDir != null) {
                Files.createDirectories(dataDir);
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            EmbeddedPostgres postgres = builder.start();
            String url = postgres.getJdbcUrl(EMBEDDED_USER, EMBEDDED_DATABASE);
            LOG.info("Started embedded PostgreSQL at {} (data: {})", url, dataDir == null ? "temporary" : dataDir);
            return new StoreLocation(url, EMBEDDED_USER, null, postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL"
                    + (dataDir == null ? "" : " in " + dataDir), e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
            LOG.info("Stopped embedded PostgreSQL");
        }
    }
}
