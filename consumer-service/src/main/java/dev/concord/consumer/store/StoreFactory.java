package dev.concord.consumer.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces the store's {@link javax.sql.DataSource}: a Hikari pool on {@code concord.store.jdbc-url},
 * or on an embedded PostgreSQL when that is empty. The schema is migrated (Flyway,
 * {@code classpath:db/migration}) before the pool is handed out, so no bean ever sees an old schema.
 *
 * <p>Why not Micronaut's {@code datasources.default} and micronaut-flyway: the embedded server has
 * to run before the pool exists and its URL is only known then; producing the pool here keeps that
 * ordering explicit in one place.
 */
@Factory
public class StoreFactory {

    private static final Logger LOG = LoggerFactory.getLogger(StoreFactory.class);

    @Singleton
    @Bean(preDestroy = "close")
    StoreLocation storeLocation(@Property(name = "concord.store.jdbc-url", defaultValue = "") String jdbcUrl,
                                @Property(name = "concord.store.user", defaultValue = "") String user,
                                @Property(name = "concord.store.password", defaultValue = "") String password,
                                @Property(name = "concord.store.embedded-data-dir", defaultValue = "") String dataDir) {
        if (!jdbcUrl.isBlank()) {
            return StoreLocation.configured(jdbcUrl, blankToNull(user), blankToNull(password));
        }
        return StoreLocation.embedded(dataDir.isBlank() ? null : Path.of(dataDir));
    }

    @Singleton
    @Bean(preDestroy = "close")
    HikariDataSource dataSource(StoreLocation location,
                                @Property(name = "concord.store.max-pool-size", defaultValue = "8") int maxPoolSize,
                                @Property(name = "concord.store.connection-timeout", defaultValue = "30s") Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("replica-store");
        config.setJdbcUrl(location.jdbcUrl());
        config.setUsername(location.user());
        config.setPassword(location.password());
        config.setMaximumPoolSize(maxPoolSize);
        // How long a batch (or a read) waits for a connection before the store counts as down.
        config.setConnectionTimeout(connectionTimeout.toMillis());
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            Flyway flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load();
            int applied = flyway.migrate().migrationsExecuted;
            LOG.info("Store schema at version {} ({} migrations applied now)", flyway.info().current().getVersion(), applied);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return dataSource;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
