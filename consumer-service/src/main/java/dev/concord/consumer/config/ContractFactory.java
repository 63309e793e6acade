package dev.concord.consumer.config;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.settings.Settings;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.ReplicatedTypes;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.convert.format.MapFormat.MapTransformation;
import io.micronaut.core.convert.format.MapFormat;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;

/**
 * Builds the contract from configuration: the declared types ({@code concord.types}), the Kafka
 * client settings (the flat {@code concord.kafka} subtree) and the types this replica applies
 * ({@code concord.replica.types}). Connecting creates any missing topics (unless
 * {@code concord.provision-topics} is false, where Strimzi declares them), so a replica started
 * before the processor still finds its state topics.
 */
@Factory
public class ContractFactory {

    @Singleton
    KafkaClientSettings kafkaClientSettings(
            @Property(name = "concord.kafka") @MapFormat(transformation = MapTransformation.FLAT) Map<String, Object> kafka) {
        return new KafkaClientSettings(kafka);
    }

    @Singleton
    EntityTypes entityTypes(ConcordContract contract) {
        return contract.types();
    }

    @Singleton
    ReplicatedTypes replicatedTypes(EntityTypes declared,
                                    @Property(name = "concord.replica.types", defaultValue = "") List<String> requested) {
        return ReplicatedTypes.select(declared, requested);
    }

    @Singleton
    @Bean(preDestroy = "close")
    ConcordContract contract(KafkaClientSettings kafka, Settings settings) {
        return ConcordContract.connect(kafka.properties(), settings);
    }
}
