package dev.concord.producer.outbox;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.concord.contract.ConcordContract;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventPublisher;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import java.sql.SQLException;
import java.time.Duration;

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
                                   @Value("${concord.outbox.jdbc-url}") String jdbcUrl,
                                   @Nullable @Value("${concord.outbox.user:}") String user,
                                   @Nullable @Value("${concord.outbox.password:}") String password,
                                   @Value("${concord.outbox.create-schema:true}") boolean createSchema,
                                   @Value("${concord.writer-id}") String relayId,
                                   @Value("${concord.outbox.writer-id:outbox}") String writerId,
                                   @Value("${concord.outbox.batch-size:200}") int batchSize,
                                   @Value("${concord.outbox.lease:30s}") Duration lease,
                                   @Value("${concord.outbox.poll-interval:500ms}") Duration pollInterval,
                                   @Value("${concord.outbox.record-chunk:50}") int recordChunk) throws SQLException {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("concord-outbox");
        pool.setJdbcUrl(jdbcUrl);
        if (user != null && !user.isBlank()) {
            pool.setUsername(user);
        }
        if (password != null && !password.isBlank()) {
            pool.setPassword(password);
        }
        pool.setMaximumPoolSize(2);
        HikariDataSource dataSource = new HikariDataSource(pool);
        if (createSchema) {
            OutboxRelay.createSchema(dataSource);
        }
        OutboxRelay relay = new OutboxRelay(dataSource, contract, publisher, events,
                new OutboxSettings(relayId, writerId, batchSize, lease, pollInterval, recordChunk), metrics, rows -> { });
        relay.start();
        return new RunningRelay(relay, dataSource);
    }
}
