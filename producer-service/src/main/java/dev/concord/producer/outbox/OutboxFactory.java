package dev.concord.producer.outbox;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.settings.Settings;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.source.SourceDatabase;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventPublisher;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import java.sql.SQLException;

/**
 * Starts the outbox relay when an outbox database is configured ({@code CONCORD_OUTBOX_JDBC_URL}); the
 * relay owns its small connection pool and stops with the application.
 */
@Factory
@Requires(property = "concord.outbox.jdbc-url", pattern = ".+")
public class OutboxFactory {

    /** The relay and its pool, closed together. */
    public record RunningRelay(OutboxRelay relay, HikariDataSource dataSource) implements AutoCloseable {
        @Override
        public void close() {
            relay.close();
            dataSource.close();
        }
    }

    @Context
    @Bean(preDestroy = "close")
    public RunningRelay outboxRelay(ConcordContract contract, EventPublisher publisher, EventFactory events, WriteMetrics metrics,
                                   Settings settings) throws SQLException {
        SourceDatabase database = SourceDatabase.from(settings, "concord.outbox");
        OutboxSettings relaySettings = OutboxSettings.from(settings);
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("concord-outbox");
        pool.setJdbcUrl(database.jdbcUrl());
        pool.setUsername(database.user());
        pool.setPassword(database.password());
        pool.setMaximumPoolSize(2);
        HikariDataSource dataSource = new HikariDataSource(pool);
        if (settings.flag("concord.outbox.create-schema", true)) {
            OutboxTable.createSchema(dataSource);
        }
        OutboxRelay relay = new OutboxRelay(dataSource, contract, publisher, events, relaySettings, metrics, rows -> { });
        relay.start();
        return new RunningRelay(relay, dataSource);
    }
}
