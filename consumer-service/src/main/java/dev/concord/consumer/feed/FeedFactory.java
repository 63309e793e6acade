package dev.concord.consumer.feed;

import dev.concord.consumer.store.EntityReader;
import dev.concord.consumer.store.StoreLocation;
import dev.concord.contract.settings.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import java.sql.DriverManager;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The change feed's settings ({@code concord.feed.*}, defaults in {@link FeedSettings#defaults()}), its
 * service, and the listener that wakes it for commits of other instances on the same store.
 */
@Factory
public class FeedFactory {

    // Read at start-up: a bad value stops the service, naming its environment variable.
    @Context
    FeedSettings feedSettings(Settings settings) {
        return FeedSettings.from(settings);
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
