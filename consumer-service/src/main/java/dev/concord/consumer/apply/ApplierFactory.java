package dev.concord.consumer.apply;

import dev.concord.consumer.feed.ChangeNotifier;
import dev.concord.consumer.store.ReplicaStore;
import dev.concord.contract.ConcordContract;
import dev.concord.replica.ReplicatedTypes;
import dev.concord.replica.apply.CatchUpTracker;
import dev.concord.replica.apply.MicrometerReplicaMetrics;
import dev.concord.replica.apply.ReplicaConsumerConfig;
import dev.concord.replica.apply.ReplicaMetrics;
import dev.concord.replica.apply.StateApplier;
import dev.concord.replica.apply.StateRecordDecoder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.convert.format.MapFormat.MapTransformation;
import io.micronaut.core.convert.format.MapFormat;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
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
        Map<String, Object> config = ReplicaConsumerConfig.of(contract.kafkaClientConfig(), consumerOverrides, groupId, "consumer-service");
        StateRecordDecoder decoder = new StateRecordDecoder(types, contract.topics().stateSerde().deserializer(), contract.payloads());
        return new StateApplier(
                () -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                types.stateTopics(), decoder, store, notifier::committed, catchUp, metrics, Clock.systemUTC()).start();
    }
}
