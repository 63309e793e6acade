package dev.concord.processor.runtime;

import dev.concord.contract.types.EntityTypes;
import dev.concord.processor.topology.EventPartitions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The events topics' partition counts ({@link EventPartitions}), read at start-up and again at an interval. */
final class WatchedEventPartitions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WatchedEventPartitions.class);

    private final Admin admin;
    private final EventPartitions partitions;
    private final ScheduledExecutorService refresher;

    private WatchedEventPartitions(Admin admin, EventPartitions partitions, ScheduledExecutorService refresher) {
        this.admin = admin;
        this.partitions = partitions;
        this.refresher = refresher;
    }

    /** Fails the start-up, naming the topics, when the broker cannot tell them (e.g. an events topic is missing). */
    static WatchedEventPartitions start(Map<String, Object> kafkaClientConfig, EntityTypes types, Duration every) {
        Admin admin = Admin.create(kafkaClientConfig);
        try {
            EventPartitions partitions = EventPartitions.fromBroker(admin, types);
            ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "event-partitions");
                thread.setDaemon(true);
                return thread;
            });
            refresher.scheduleWithFixedDelay(() -> {
                try {
                    partitions.update(EventPartitions.read(admin, types));
                } catch (IllegalStateException brokerCannotSay) {
                    LOG.warn("Could not read the events topics' partitions again ({}); keeping the last known counts",
                            brokerCannotSay.getMessage());
                }
            }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
            return new WatchedEventPartitions(admin, partitions, refresher);
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
    }

    EventPartitions current() {
        return partitions;
    }

    /** The broker client this holds open, for the start-up's other one-off reads (closed with this). */
    Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        // A read still in flight is of no use once the processor stops (or fails to start): without a bound, close would
        // wait for it until its own deadline (default.api.timeout.ms, a minute) when the broker is gone.
        admin.close(Duration.ZERO);
    }
}
