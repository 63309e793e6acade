package dev.concord.replica.apply;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;

/** The Kafka consumer settings of a replica's applier: what a replica must have, and what it may tune. */
public final class ReplicaConsumerConfig {

    /** Records per poll, and so per database transaction, unless the overrides say otherwise. */
    public static final int DEFAULT_MAX_POLL_RECORDS = 2000;

    private ReplicaConsumerConfig() {
    }

    /**
     * @param shared    bootstrap servers and security settings
     * @param overrides consumer-only tuning (e.g. {@code max.poll.records}); may be null
     * @param groupId   the replica's consumer group (one per replica: one store)
     */
    public static Map<String, Object> of(Map<String, Object> shared, Map<String, Object> overrides, String groupId, String clientIdPrefix) {
        Map<String, Object> config = new HashMap<>(shared);
        if (overrides != null) {
            config.putAll(overrides);
        }
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + groupId);
        // Bigger batches, fewer transactions: what makes bootstrapping a large compacted topic fast.
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, DEFAULT_MAX_POLL_RECORDS);
        // Spread the partitions of all state topics together over the instances: the default (range)
        // assigns each topic on its own, so with 6 partitions per type instances 7 and up got nothing
        // however many types there were.
        config.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RoundRobinAssignor.class.getName());
        // Not overridable: the store holds the offsets, and only committed (processor) transactions count.
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }
}
