package dev.concord.processor.runtime;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.KafkaClientProperties;
import dev.concord.contract.settings.Settings;
import dev.concord.contract.topics.TopicProvisioner;
import dev.concord.processor.metrics.MicrometerSyncMetrics;
import dev.concord.processor.metrics.SyncMetrics;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.SyncTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.convert.format.MapFormat;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** Wires the contract, the topology and the Kafka Streams runtime from configuration. */
@Factory
final class ProcessorFactory {

    @Singleton
    @Bean(preDestroy = "close")
    ConcordContract contract(@Property(name = "concord.kafka") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                             Map<String, Object> kafkaClientConfig, Settings settings) {
        return ConcordContract.connect(KafkaClientProperties.fromConfiguration(kafkaClientConfig), settings).registerWriterSchemas();
    }

    /** The sync rules' knobs ({@code concord.sync.*}), each default in {@link SyncSettings#defaults()} with its reason. */
    @Singleton
    SyncSettings syncSettings(Settings settings) {
        return SyncSettings.from(settings);
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
                              WatchedEventPartitions partitions, Settings configuration,
                              @Property(name = "concord.streams") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                              Map<String, Object> streamsOverrides) {
        if (configuration.flag("concord.provision-topics", true)) {
            TopicProvisioner.ensureMirroredEvents(contract.kafkaClientConfig(), contract.types(), settings.mirroredFrom());
        }
        Properties streams = StreamsSettings.of(contract.kafkaClientConfig(), KafkaClientProperties.fromConfiguration(streamsOverrides), metrics);
        OldStateChangelogs.warnIfAny(partitions.admin(), streams.getProperty(StreamsConfig.APPLICATION_ID_CONFIG),
                contract.types());
        return new KafkaStreams(SyncTopology.build(contract, settings, metrics, partitions.current()), streams);
    }
}
