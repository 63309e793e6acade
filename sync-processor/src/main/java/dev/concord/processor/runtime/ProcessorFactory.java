package dev.concord.processor.runtime;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.KafkaClientProperties;
import dev.concord.contract.types.EntityTypes;
import dev.concord.processor.topology.SyncMetrics;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.SyncTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.convert.format.MapFormat;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
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

    @Singleton
    SyncSettings syncSettings(@Value("${concord.sync.recent-event-ids:8}") int recentEventIds,
                              @Value("${concord.sync.max-clock-skew:1m}") Duration maxClockSkew,
                              @Value("${concord.sync.tombstone-retention:7d}") Duration tombstoneRetention,
                              @Value("${concord.sync.expiry-scan-interval:1m}") Duration expiryScanInterval,
                              @Value("${concord.sync.max-output-bytes:1000000}") int maxOutputBytes) {
        return new SyncSettings(recentEventIds, maxClockSkew, tombstoneRetention, expiryScanInterval, maxOutputBytes);
    }

    @Singleton
    SyncMetrics syncMetrics(MeterRegistry registry) {
        return new MicrometerSyncMetrics(registry);
    }

    @Singleton
    KafkaStreams kafkaStreams(ConcordContract contract, SyncSettings settings, SyncMetrics metrics,
                              @Property(name = "concord.streams") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                              Map<String, Object> streamsOverrides) {
        return new KafkaStreams(SyncTopology.build(contract, settings, metrics),
                StreamsSettings.of(contract.kafkaClientConfig(), KafkaClientProperties.fromConfiguration(streamsOverrides), metrics));
    }
}
