package dev.concord.consumer.apply;

import dev.concord.consumer.config.ReplicatedTypes;
import dev.concord.consumer.feed.ChangeNotifier;
import dev.concord.consumer.store.ReplicaStore;
import dev.concord.contract.ConcordContract;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.convert.format.MapFormat;
import io.micronaut.core.convert.format.MapFormat.MapTransformation;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Starts the {@link StateApplier} with the application context (and stops it before the store
 * closes, since the applier depends on it). The consumer reads raw bytes, keys included, so that decoding
 * (strictly: an id that is not valid UTF-8 is refused, not repaired), and dead-lettering what does not
 * decode, is the replica's decision rather than a crash inside {@code poll()}.
 */
@Factory
public class ApplierFactory {

    /** Records per poll, and so per database transaction, unless {@code concord.replica.consumer.max.poll.records} says otherwise. */
    static final int DEFAULT_MAX_POLL_RECORDS = 2000;

    @Singleton
    CatchUpTracker catchUpTracker() {
        return new CatchUpTracker();
    }

    @Singleton
    ReplicaMetrics replicaMetrics(MeterRegistry registry) {
        return new MicrometerReplicaMetrics(registry);
    }

    @Context
    @Bean(preDestroy = "close")
    StateApplier stateApplier(ConcordContract contract, ReplicatedTypes types, ReplicaStore store,
                              ChangeNotifier notifier, CatchUpTracker catchUp, ReplicaMetrics metrics,
                              @Property(name = "concord.replica.group-id") String groupId,
                              @Nullable @Property(name = "concord.replica.consumer") @MapFormat(transformation = MapTransformation.FLAT)
                              Map<String, Object> consumerOverrides) {
        Map<String, Object> config = consumerConfig(contract.kafkaClientConfig(), consumerOverrides, groupId);
        StateRecordDecoder decoder = new StateRecordDecoder(types, contract.topics().stateSerde().deserializer(), contract.payloads());
        return new StateApplier(
                () -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                types.stateTopics(), decoder, store, notifier, catchUp, metrics, Clock.systemUTC()).start();
    }

    /**
     * @param overrides consumer-only tuning from {@code concord.replica.consumer.*}, e.g. {@code max.poll.records}
     */
    static Map<String, Object> consumerConfig(Map<String, Object> shared, Map<String, Object> overrides, String groupId) {
        Map<String, Object> config = new HashMap<>(shared);
        if (overrides != null) {
            config.putAll(overrides);
        }
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "consumer-service-" + groupId);
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
