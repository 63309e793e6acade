package dev.concord.consumer.config;

import dev.concord.contract.KafkaClientProperties;
import java.util.Map;

/**
 * Kafka client properties shared by every client of this service (the flat {@code concord.kafka}
 * subtree, e.g. {@code bootstrap.servers}, security settings). A type of its own so it is never
 * confused with any other map in the bean context.
 */
public record KafkaClientSettings(Map<String, Object> properties) {

    /** Only Kafka's own (dotted) property names; see {@link KafkaClientProperties}. */
    public KafkaClientSettings {
        properties = Map.copyOf(KafkaClientProperties.fromConfiguration(properties));
    }
}
