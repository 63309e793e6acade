package dev.concord.contract.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The catalog on a real compacted topic, shared by two services that each keep their own view. */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaCatalogLogTest {

    private final Map<String, Object> kafka = Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers());
    private final String topic = KafkaTestClients.uniqueId("catalog");

    @Test
    void shouldShareRegistrationsAndCompatibilityChecksAcrossServices() throws Exception {
        Schema v1 = SchemaBuilder.record("Customer").fields().requiredString("name").endRecord();
        Schema breaking = SchemaBuilder.record("Customer").fields().requiredString("name").requiredLong("score").endRecord();

        try (SchemaCatalog producerSide = new SchemaCatalog(new KafkaCatalogLog(kafka, topic));
             SchemaCatalog consumerSide = new SchemaCatalog(new KafkaCatalogLog(kafka, topic))) {
            long fingerprint = producerSide.register("entity.customer", v1);

            assertThat(consumerSide.findByFingerprint(fingerprint)).isEqualTo(v1);
            assertThatThrownBy(() -> consumerSide.register("entity.customer", breaking))
                    .isInstanceOf(IncompatibleSchemaException.class)
                    .hasMessageContaining("field 'score'");
        }
        try (SchemaCatalog restarted = new SchemaCatalog(new KafkaCatalogLog(kafka, topic))) {
            assertThat(restarted.versions("entity.customer")).containsExactly(v1);
        }
    }
}
