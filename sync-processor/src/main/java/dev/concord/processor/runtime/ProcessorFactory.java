package dev.concord.processor.runtime;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityTypes;
import dev.concord.processor.topology.SyncTopology;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.convert.format.MapFormat;
import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/** Wires the contract, the topology and the Kafka Streams runtime from configuration. */
@Factory
final class ProcessorFactory {

    @Singleton
    @Bean(preDestroy = "close")
    ConcordContract contract(@Property(name = "concord.kafka") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                             Map<String, Object> kafkaClientConfig,
                             @Value("${concord.types}") String typesLocation) {
        return ConcordContract.connect(kafkaClientConfig, EntityTypes.load(typesLocation)).registerWriterSchemas();
    }

    @Singleton
    KafkaStreams kafkaStreams(ConcordContract contract,
                              @Property(name = "concord.streams") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                              Map<String, Object> streamsOverrides) {
        return new KafkaStreams(SyncTopology.build(contract.types(), contract.topics()),
                StreamsSettings.of(contract.kafkaClientConfig(), streamsOverrides));
    }
}
