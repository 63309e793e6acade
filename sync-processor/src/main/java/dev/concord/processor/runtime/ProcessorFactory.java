package dev.concord.processor.runtime;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.KafkaClientProperties;
import dev.concord.contract.settings.Settings;
import dev.concord.contract.topics.TopicProvisioner;
import dev.concord.processor.metrics.MicrometerSyncMetrics;
import dev.concord.processor.metrics.SyncMetrics;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.processor.topology.SyncTopology;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.convert.format.MapFormat;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
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
    StreamsApplication streamsApplication(ConcordContract contract, SyncSettings settings, SyncMetrics metrics,
                                          WatchedEventPartitions partitions, Settings configuration,
                                          @Property(name = "concord.streams") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                                          Map<String, Object> streamsOverrides) {
        if (configuration.flag("concord.provision-topics", true)) {
            TopicProvisioner.ensureMirroredEvents(contract.kafkaClientConfig(), contract.types(), settings.mirroredFrom());
        }
        Properties streams = StreamsSettings.of(contract.kafkaClientConfig(), KafkaClientProperties.fromConfiguration(streamsOverrides), metrics);
        OldStateChangelogs.warnIfAny(partitions.admin(), streams.getProperty(StreamsConfig.APPLICATION_ID_CONFIG),
                contract.types());
        return new StreamsApplication(SyncTopology.build(contract, settings, metrics, partitions.current()), streams);
    }

    @Singleton
    KafkaStreams kafkaStreams(StreamsApplication application) {
        return new KafkaStreams(application.topology(), application.settings());
    }

    /**
     * Transactions left open on the partitions the stream threads write (docs/operations.md, "A transaction left
     * hanging"): looked for at an interval; those their coordinator aborted get the marker it skipped unless
     * {@code concord.hanging-transactions.abort} is false.
     */
    @Context
    @Bean(preDestroy = "close")
    HangingTransactionsWatch hangingTransactions(StreamsApplication application, WatchedEventPartitions partitions,
                                                 Settings configuration, MeterRegistry registry) {
        // A changelog a store does not write has no topic: the finder skips topics the broker does not have.
        Set<String> written = new HashSet<>(application.writtenTopics());
        written.addAll(application.changelogTopicNames());
        HangingTransactions finder = new HangingTransactions(partitions.admin(), application.applicationId(), written,
                configuration.duration("concord.hanging-transactions.silent-for", Duration.ofSeconds(60)), Clock.systemUTC());
        HangingTransactionsWatch watch = HangingTransactionsWatch.start(finder,
                configuration.flag("concord.hanging-transactions.abort", true),
                configuration.duration("concord.hanging-transactions.check-interval", Duration.ofSeconds(30)));
        Gauge.builder("concord.processor.hanging.transactions", watch, HangingTransactionsWatch::hangingCount)
                .description("Partitions holding a transaction no coordinator will close, left by the last check")
                .register(registry);
        Gauge.builder("concord.processor.hanging.transactions.last.look", watch, HangingTransactionsWatch::lastLookSeconds)
                .baseUnit("seconds")
                .description("When the watch last looked (since the epoch): a failed look leaves the count above as it was")
                .register(registry);
        return watch;
    }
}
