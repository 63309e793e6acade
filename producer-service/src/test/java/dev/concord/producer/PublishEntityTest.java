package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.json.AvroToJson;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A valid write becomes exactly one UPSERT event on the real broker before the client hears 202. */
@ExtendWith(KafkaBrokerExtension.class)
class PublishEntityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final RunningProducerService service = RunningProducerService.perTestClass();

    @Test
    void shouldPublishOneUpsertEventBeforeAnswering202() throws Exception {
        // Given
        String id = KafkaTestClients.uniqueId("customer");
        JsonNode sent = JSON.readTree("""
                {"name": "Ada Lovelace", "email": "ada@example.com", "tier": "GOLD",
                 "address": {"street": "12 St James's Square", "city": "London", "postalCode": "SW1Y 4JH", "country": "GB"}}""");

        // When
        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + id, sent.toString(), "X-Request-Id", "req-" + id);

        // Then: 202 describing the event ...
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        JsonNode accepted = JSON.readTree(response.body());
        assertThat(accepted.path("entityType").asText()).isEqualTo("customer");
        assertThat(accepted.path("entityId").asText()).isEqualTo(id);
        assertThat(accepted.path("writer").asText()).isEqualTo(service.writerId());

        // ... and already readable (read immediately, no waiting): Kafka acknowledged it before the 202.
        List<ConsumerRecord<byte[], byte[]>> records = recordsWithKey("concord.events.customer", id);
        assertThat(records).hasSize(1);
        ConsumerRecord<byte[], byte[]> record = records.get(0);
        assertThat(record.partition()).isEqualTo(accepted.path("partition").asInt());
        assertThat(record.offset()).isEqualTo(accepted.path("offset").asLong());

        EntityEvent event = contract().topics().eventSerde().deserializer().deserialize(record.topic(), record.value());
        assertThat(event.getEventId().toString()).isEqualTo(accepted.path("eventId").asText());
        assertThat(event.getOp()).isEqualTo(Operation.UPSERT);
        assertThat(event.getEntityType()).isEqualTo("customer");
        assertThat(event.getEntityId()).isEqualTo(id);
        assertThat(event.getWriter()).isEqualTo(service.writerId());
        assertThat(event.getClock().getPhysicalMillis()).isEqualTo(accepted.path("clock").path("physicalMillis").asLong()).isPositive();
        assertThat(event.getClock().getLogical()).isEqualTo(accepted.path("clock").path("logical").asInt());
        assertThat(event.getSource().getService()).isEqualTo("producer-service");
        assertThat(event.getSource().getRequestId()).isEqualTo("req-" + id);

        // The payload decodes with the type's schema to what was sent, defaults filled in.
        JsonNode payload = AvroToJson.toJson(TopicEvents.payload(contract(), event));
        sent.fields().forEachRemaining(field -> assertThat(payload.get(field.getKey())).as(field.getKey()).isEqualTo(field.getValue()));
        assertThat(payload.get("phone").isNull()).isTrue();
        assertThat(payload.get("marketingOptIn").booleanValue()).isFalse();
    }

    @Test
    void shouldOrderTwoWritesOfOneEntityByClockInOnePartition() throws Exception {
        // Given
        String id = KafkaTestClients.uniqueId("order");
        String first = """
                {"customerId": "c-1", "status": "PENDING", "currency": "EUR", "totalCents": 1250,
                 "lines": [{"sku": "book", "quantity": 1, "unitPriceCents": 1250}]}""";
        String second = first.replace("PENDING", "PAID");

        // When
        HttpResponse<String> firstResponse = service.putJson("/v1/entities/order/" + id, first);
        HttpResponse<String> secondResponse = service.putJson("/v1/entities/order/" + id, second);

        // Then
        assertThat(firstResponse.statusCode()).isEqualTo(202);
        assertThat(secondResponse.statusCode()).isEqualTo(202);
        List<EntityEvent> events = recordsWithKey("concord.events.order", id).stream()
                .map(r -> contract().topics().eventSerde().deserializer().deserialize(r.topic(), r.value()))
                .toList();
        assertThat(events).hasSize(2);
        assertThat(HlcTimestamp.of(events.get(1).getClock())).isGreaterThan(HlcTimestamp.of(events.get(0).getClock()));
        assertThat(TopicEvents.payload(contract(), events.get(0)).get("status").toString()).isEqualTo("PENDING");
        assertThat(TopicEvents.payload(contract(), events.get(1)).get("status").toString()).isEqualTo("PAID");
    }

    private static List<ConsumerRecord<byte[], byte[]>> recordsWithKey(String topic, String key) {
        return KafkaTestClients.readAll(KafkaBrokerExtension.bootstrapServers(), topic).stream()
                .filter(r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .toList();
    }

    private static ConcordContract contract() {
        return service.contract();
    }
}
