package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** PATCH, DELETE, If-Match, Idempotency-Key and the batch, each checked against what lands on the real broker. */
@ExtendWith(KafkaBrokerExtension.class)
class WriteOperationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORDER = """
            {"customerId": "c-1", "status": "PENDING", "currency": "EUR", "totalCents": 1250,
             "lines": [{"sku": "book", "quantity": 1, "unitPriceCents": 1250}]}""";
    @RegisterExtension
    static final RunningProducerService service = RunningProducerService.perTestClass();

    @Test
    void shouldPublishAPatchEventWithTheTopLevelKeysAsChangedFields() throws Exception {
        // Given
        String id = KafkaTestClients.uniqueId("customer");

        // When
        HttpResponse<String> response = service.patch("/v1/entities/customer/" + id, "{\"email\": \"ada@example.org\", \"phone\": null}");

        // Then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        EntityEvent event = only(events("customer", id));
        assertThat(event.getOp()).isEqualTo(Operation.PATCH);
        assertThat(event.getChangedFields()).containsExactly("email", "phone");
        assertThat(TopicEvents.payload(service.contract(), event).get("email")).hasToString("ada@example.org");
        assertThat(event.getEventId().toString()).isEqualTo(JSON.readTree(response.body()).path("eventId").asText());
    }

    @Test
    void shouldPublishADeleteEventCarryingIfMatchAsExpectedVersion() {
        // Given
        String id = KafkaTestClients.uniqueId("order");

        // When
        HttpResponse<String> response = service.delete("/v1/entities/order/" + id, "If-Match", "\"3\"");

        // Then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        EntityEvent event = only(events("order", id));
        assertThat(event.getOp()).isEqualTo(Operation.DELETE);
        assertThat(event.getPayload()).isNull();
        assertThat(event.getExpectedVersion()).isEqualTo(3L);
    }

    @Test
    void shouldLeaveOneEventWhenARequestWithAnIdempotencyKeyIsRetriedThreeTimes() throws Exception {
        // Given
        String id = KafkaTestClients.uniqueId("order");
        String key = KafkaTestClients.uniqueId("retry");

        // When: the first request and three retries
        HttpResponse<String> first = service.putJson("/v1/entities/order/" + id, ORDER, "Idempotency-Key", key, "If-Match", "\"0\"");
        List<HttpResponse<String>> retries = List.of(
                service.putJson("/v1/entities/order/" + id, ORDER, "Idempotency-Key", key, "If-Match", "\"0\""),
                service.putJson("/v1/entities/order/" + id, ORDER, "Idempotency-Key", key, "If-Match", "\"0\""),
                service.putJson("/v1/entities/order/" + id, ORDER, "Idempotency-Key", key, "If-Match", "\"0\""));

        // Then: the same 202 each time, and one event in the topic
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        for (HttpResponse<String> retry : retries) {
            assertThat(retry.statusCode()).isEqualTo(202);
            assertThat(JSON.readTree(retry.body())).isEqualTo(JSON.readTree(first.body()));
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        }
        EntityEvent event = only(events("order", id));
        assertThat(event.getExpectedVersion()).isZero();

        // A different request under the same key is refused, and publishes nothing.
        HttpResponse<String> reused = service.putJson("/v1/entities/order/" + id, ORDER.replace("PENDING", "PAID"), "Idempotency-Key", key);
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(reused.body()).path("type").asText()).endsWith("idempotency-key-reused");
        assertThat(events("order", id)).hasSize(1);
    }

    @Test
    void shouldAnswerABatchWithOneResultPerItemAndPublishTheAcceptedOnesInOrder() throws Exception {
        // Given
        String id = KafkaTestClients.uniqueId("customer");
        String batch = """
                [{"op": "UPSERT", "type": "customer", "id": "%1$s", "data": {"name": "Ada", "email": "ada@example.com"}},
                 {"op": "PATCH", "type": "customer", "id": "%1$s", "patch": {"tier": "GOLD"}, "idempotencyKey": "k-%1$s"},
                 {"op": "PATCH", "type": "customer", "id": "%1$s", "patch": {"tier": "GOLDEN"}},
                 {"op": "PATCH", "type": "order", "id": "%1$s", "patch": {"status": "PAID"}},
                 {"op": "MERGE", "type": "customer", "id": "%1$s"},
                 {"op": "DELETE", "type": "customer", "id": "%1$s"}]""".formatted(id);

        // When
        HttpResponse<String> response = service.postJson("/v1/events", batch);

        // Then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(207);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("accepted").asInt()).isEqualTo(3);
        assertThat(body.path("refused").asInt()).isEqualTo(3);
        JsonNode results = body.path("results");
        assertThat(results).extracting(r -> r.path("status").asInt()).containsExactly(202, 202, 422, 422, 400, 202);
        assertThat(results.get(2).path("problem").path("errors").get(0).path("field").asText()).isEqualTo("tier");
        assertThat(results.get(3).path("problem").path("type").asText()).endsWith("patch-not-supported");
        assertThat(results.get(4).path("problem").path("errors").get(0).path("field").asText()).isEqualTo("op");

        List<EntityEvent> events = events("customer", id);
        assertThat(events).extracting(EntityEvent::getOp).containsExactly(Operation.UPSERT, Operation.PATCH, Operation.DELETE);
        assertThat(events).extracting(e -> e.getEventId().toString())
                .containsExactly(results.get(0).path("eventId").asText(), results.get(1).path("eventId").asText(),
                        results.get(5).path("eventId").asText());
        assertThat(events.get(2).getExpectedVersion()).isNull();
        assertThat(results.get(1).path("offset").asLong()).isEqualTo(results.get(0).path("offset").asLong() + 1);
    }

    private static List<EntityEvent> events(String type, String id) {
        return TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), service.contract(), type, id);
    }

    private static EntityEvent only(List<EntityEvent> events) {
        assertThat(events).hasSize(1);
        return events.get(0);
    }
}
