package dev.concord.consumer.config;

import java.util.Map;

/**
 * Kafka client properties shared by every client of this service (the flat {@code concord.kafka}
 * subtree, e.g. {@code bootstrap.servers}, security settings). A type of its own so it is never
 * confused with any other map in the bean context.
 */
public record KafkaClientSettings(Map<String, Object> properties) {

    /**
     * Micronaut offers every spelling of an environment-derived key ({@code security.protocol} and
     * {@code security-protocol} for {@code CONCORD_KAFKA_SECURITY_PROTOCOL}); Kafka's own property
     * names never contain '-', so only the dotted ones are kept.
     */
    public KafkaClientSettings {
        Map<String, Object> kafkaNames = new java.util.HashMap<>();
        properties.forEach((key, value) -> {
            if (!key.contains("-")) {
                kafkaNames.put(key, value);
            }
        });
        properties = Map.copyOf(kafkaNames);
    }
}
