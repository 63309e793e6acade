package dev.concord.consumer.feed;

import dev.concord.consumer.store.EntityReader;
import dev.concord.consumer.store.StoreLocation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import jakarta.inject.Singleton;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The change feed's settings ({@code concord.feed.*}, defaults in {@link FeedSettings#defaults()}), its
 * service, and the listener that wakes it for commits of other instances on the same store.
 */
@Factory
public class FeedFactory {

    @Singleton
    FeedSettings feedSettings(@Property(name = "concord.feed.max-wait", defaultValue = "30s") Duration maxWait,
                              @Property(name = "concord.feed.default-limit", defaultValue = "100") int defaultLimit,
                              @Property(name = "concord.feed.max-limit", defaultValue = "1000") int maxLimit,
                              @Property(name = "concord.feed.page-size", defaultValue = "200") int pageSize,
                              @Property(name = "concord.feed.client-queue", defaultValue = "1000") int clientQueue,
                              @Property(name = "concord.feed.stall-timeout", defaultValue = "30s") Duration stallTimeout,
                              @Property(name = "concord.feed.max-streams", defaultValue = "1000") int maxStreams,
                              @Property(name = "concord.feed.read-threads", defaultValue = "2") int readThreads,
                              @Property(name = "concord.feed.heartbeat", defaultValue = "15s") Duration heartbeat,
                              @Property(name = "concord.feed.subscribe-timeout", defaultValue = "10s") Duration subscribeTimeout) {
        return new FeedSettings(maxWait, defaultLimit, maxLimit, pageSize, clientQueue, stallTimeout, maxStreams, readThreads,
                heartbeat, subscribeTimeout);
    }

    @Context
    @Bean(preDestroy = "close")
    CommitListener commitListener(StoreLocation location, ChangeNotifier notifier,
                                  // only for the order: the pool is built after the schema is migrated
                                  DataSource migrated) {
        return new CommitListener(() -> {
            Properties properties = new Properties();
            if (location.user() != null) {
                properties.setProperty("user", location.user());
            }
            if (location.password() != null) {
                properties.setProperty("password", location.password());
            }
            return DriverManager.getConnection(location.jdbcUrl(), properties);
        }, notifier).start();
    }

    // Eager, so its meters exist (at zero) before the first client comes.
    @Context
    @Bean(preDestroy = "close")
    ChangeFeedService changeFeed(EntityReader reader, ChangeNotifier notifier, FeedSettings settings, MeterRegistry registry) {
        return new ChangeFeedService(reader, notifier, settings, registry);
    }
}
