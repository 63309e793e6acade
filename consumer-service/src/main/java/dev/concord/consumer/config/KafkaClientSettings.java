package dev.concord.consumer.config;

import java.util.Map;

/**
 * Kafka client properties shared by every client of this service (the flat {@code concord.kafka}
 * subtree, e.g. {@code bootstrap.servers}, security settings). A type of its own so it is never
 * confused with any other map in the bean context.
 */
public record KafkaClientSettings(Map<String, Object> properties) {

    public KafkaClientSettings {
        properties = Map.copyOf(properties);
    }
}
