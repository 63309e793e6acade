package dev.concord.contract;

import java.util.HashMap;
import java.util.Map;

/** Kafka client properties taken from a service's configuration subtree ({@code concord.kafka}). */
public final class KafkaClientProperties {

    private KafkaClientProperties() {
    }

    /**
     * Micronaut offers every spelling of an environment-derived key ({@code security.protocol} and
     * {@code security-protocol} for {@code CONCORD_KAFKA_SECURITY_PROTOCOL}); Kafka's own property
     * names never contain '-', so only the dotted spellings are passed on, not as unknown settings.
     */
    public static Map<String, Object> fromConfiguration(Map<String, Object> configured) {
        Map<String, Object> properties = new HashMap<>();
        configured.forEach((key, value) -> {
            if (!key.contains("-")) {
                properties.put(key, value);
            }
        });
        return properties;
    }
}
