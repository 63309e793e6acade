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
import dev.concord.contract.types.PoisonPolicy;
import dev.concord.replica.store.StoreException;
import io.micrometer.core.instrument.Gauge;
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
                              ChangeNotifier notifier, CatchUpTracker catchUp, ReplicaMetrics metrics, MeterRegistry registry,
                              @Property(name = "concord.replica.group-id") String groupId,
                              @Nullable @Property(name = "concord.replica.consumer") @MapFormat(transformation = MapTransformation.FLAT)
                              Map<String, Object> consumerOverrides) {
        Map<String, Object> config = ReplicaConsumerConfig.of(contract.kafkaClientConfig(), consumerOverrides, groupId, "consumer-service");
        StateRecordDecoder decoder = new StateRecordDecoder(types, contract.topics().stateSerde().deserializer(), contract.payloads());
        registerParkedGauges(contract, types, store, registry);
        return new StateApplier(
                () -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                types.stateTopics(), decoder, store, notifier::committed, catchUp, metrics, Clock.systemUTC()).start();
    }

    /**
     * {@code concord_replica_parked_keys{type}} for each replicated type that parks: read from the store at each scrape
     * (the table is tiny), so every instance of the replica reports the same number; NaN while the store is down.
     */
    private static void registerParkedGauges(ConcordContract contract, ReplicatedTypes types, ReplicaStore store, MeterRegistry registry) {
        for (String name : types.names()) {
            if (contract.types().find(name).map(type -> type.poison() == PoisonPolicy.PARK).orElse(false)) {
                Gauge.builder("concord.replica.parked.keys", store, s -> {
                    try {
                        return s.parkedCounts().getOrDefault(name, 0L);
                    } catch (StoreException e) {
                        return Double.NaN;
                    }
                }).tag("type", name).register(registry);
            }
        }
    }
}
