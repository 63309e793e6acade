package dev.concord.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    @Test
    void shouldPassOnlyKafkaPropertyNamesFromEnvironmentDerivedSpellings() {
        KafkaClientSettings settings = new KafkaClientSettings(Map.of(
                "bootstrap.servers", "kafka:9093",
                "security.protocol", "SASL_SSL",
                "security-protocol", "SASL_SSL",
                "sasl-jaas-config", "secret"));

        assertThat(settings.properties()).containsOnlyKeys("bootstrap.servers", "security.protocol");
    }
}
