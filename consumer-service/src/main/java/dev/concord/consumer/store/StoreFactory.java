package dev.concord.consumer.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.concord.contract.settings.Settings;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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
    StoreLocation storeLocation(Settings settings) {
        Optional<String> jdbcUrl = settings.optionalText("concord.store.jdbc-url");
        if (jdbcUrl.isPresent()) {
            return StoreLocation.configured(jdbcUrl.get(), settings.optionalText("concord.store.user").orElse(null),
                    settings.optionalText("concord.store.password").orElse(null));
        }
        return StoreLocation.embedded(settings.optionalText("concord.store.embedded-data-dir").map(Path::of).orElse(null));
    }

    @Singleton
    @Bean(preDestroy = "close")
    HikariDataSource dataSource(StoreLocation location, Settings settings) {
        int maxPoolSize = settings.count("concord.store.max-pool-size", 8, 1, 1_000);
        Duration connectionTimeout = settings.duration("concord.store.connection-timeout", Duration.ofSeconds(30));
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
}
