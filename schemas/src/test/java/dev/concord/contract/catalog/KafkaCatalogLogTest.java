package dev.concord.contract.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
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

    @Test
    void shouldSkipWhatIsNotACatalogEntryAndStillStart() throws Exception {
        Schema v1 = SchemaBuilder.record("Customer").fields().requiredString("name").endRecord();
        Schema v2 = SchemaBuilder.record("Customer").fields().requiredString("name").optionalString("email").endRecord();
        Schema v3 = SchemaBuilder.record("Customer").fields().requiredString("name").optionalString("phone").endRecord();
        long v1Fingerprint;
        try (SchemaCatalog first = new SchemaCatalog(new KafkaCatalogLog(kafka, topic))) {
            v1Fingerprint = first.register("entity.customer", v1);
        }
        long v3Fingerprint = org.apache.avro.SchemaNormalization.parsingFingerprint64(v3);
        ObjectMapper json = new ObjectMapper();
        try (KafkaProducer<String, String> raw = new KafkaProducer<>(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (String poison : List.of("{}", "not json", "[1,2]", "null",
                    // a schema that does not parse
                    "{\"subject\":\"entity.customer\",\"fingerprint\":1,\"schemaJson\":\"{bad\",\"registeredAtMillis\":0}",
                    // v2 filed under a fingerprint that is not its own: readers would decode records with the wrong schema
                    json.writeValueAsString(Map.of("subject", "entity.customer", "fingerprint", 12345L,
                            "schemaJson", v2.toString(), "registeredAtMillis", 0L)),
                    // a well-formed entry with a field a later version added: read, the field ignored
                    json.writeValueAsString(Map.of("subject", "entity.customer", "fingerprint", v3Fingerprint,
                            "schemaJson", v3.toString(), "registeredAtMillis", 0L, "registeredBy", "a later version")))) {
                raw.send(new ProducerRecord<>(topic, 0, "key", poison)).get();
            }
        }

        try (SchemaCatalog restarted = new SchemaCatalog(new KafkaCatalogLog(kafka, topic))) {
            assertThat(restarted.findByFingerprint(v1Fingerprint)).isEqualTo(v1);
            assertThat(restarted.findByFingerprint(12345L)).as("a schema filed under another fingerprint").isNull();
            assertThat(restarted.findByFingerprint(v3Fingerprint)).isEqualTo(v3);
            assertThat(restarted.versions("entity.customer")).containsExactly(v1, v3);
        }
    }
}
