package dev.concord.processor.runtime;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.KafkaClientProperties;
import dev.concord.contract.types.EntityTypes;
import dev.concord.processor.metrics.MicrometerSyncMetrics;
import dev.concord.processor.metrics.SyncMetrics;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.SyncTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.micronaut.core.convert.format.MapFormat;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;

/** Wires the contract, the topology and the Kafka Streams runtime from configuration. */
@Factory
final class ProcessorFactory {

    @Singleton
    @Bean(preDestroy = "close")
    ConcordContract contract(@Property(name = "concord.kafka") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                             Map<String, Object> kafkaClientConfig,
                             @Value("${concord.types}") String typesLocation,
                             @Value("${concord.provision-topics:true}") boolean provisionTopics) {
        return ConcordContract.connect(KafkaClientProperties.fromConfiguration(kafkaClientConfig), EntityTypes.load(typesLocation), provisionTopics)
                .registerWriterSchemas();
    }

    /**
     * The sync rules' knobs: each one set under {@code concord.sync.*} (application.yml maps the environment
     * variables), or left empty for its default, which {@link SyncSettings#defaults()} holds with its reason.
     */
    @Singleton
    SyncSettings syncSettings(Environment environment) {
        SyncSettings defaults = SyncSettings.defaults();
        return new SyncSettings(
                setting(environment, "concord.sync.recent-event-ids", Integer.class, defaults.recentEventIds()),
                setting(environment, "concord.sync.max-clock-skew", Duration.class, defaults.maxClockSkew()),
                setting(environment, "concord.sync.tombstone-retention", Duration.class, defaults.tombstoneRetention()),
                setting(environment, "concord.sync.expiry-scan-interval", Duration.class, defaults.expiryScanInterval()),
                setting(environment, "concord.sync.max-output-bytes", Integer.class, defaults.maxOutputBytes()));
    }

    /** The setting's value when it is set and not blank; a value that does not convert stops the start-up, naming it. */
    private static <T> T setting(Environment environment, String name, Class<T> type, T fallback) {
        Optional<String> raw = environment.getProperty(name, String.class).filter(value -> !value.isBlank());
        if (raw.isEmpty()) {
            return fallback;
        }
        return environment.getProperty(name, type).orElseThrow(() -> new IllegalArgumentException(
                name + " is '" + raw.get() + "', which is not a " + (type == Duration.class ? "duration (e.g. 30s, 1m, 7d)" : "number")));
    }

    @Singleton
    SyncMetrics syncMetrics(MeterRegistry registry) {
        return new MicrometerSyncMetrics(registry);
    }

    /** The events topics' partitions as the broker has them, read again every minute (an operator may add some). */
    @Singleton
    @Bean(preDestroy = "close")
    WatchedEventPartitions eventPartitions(ConcordContract contract) {
        return WatchedEventPartitions.start(contract.kafkaClientConfig(), contract.types(), Duration.ofMinutes(1));
    }

    @Singleton
    KafkaStreams kafkaStreams(ConcordContract contract, SyncSettings settings, SyncMetrics metrics,
                              WatchedEventPartitions partitions,
                              @Property(name = "concord.streams") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                              Map<String, Object> streamsOverrides) {
        return new KafkaStreams(SyncTopology.build(contract, settings, metrics, partitions.current()),
                StreamsSettings.of(contract.kafkaClientConfig(), KafkaClientProperties.fromConfiguration(streamsOverrides), metrics));
    }
}
