package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.HybridClock;
import dev.concord.contract.avro.RejectedEvent;
import dev.concord.contract.avro.RejectionReason;
import dev.concord.contract.avro.WriteRef;
import dev.concord.contract.outcomes.ConsistencyToken;
import dev.concord.contract.outcomes.DecisionHeaders;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The write-outcome door (docs/consistency.md) on a real broker, two instances, with this test deciding each write as
 * sync-processor would and writing the decision where it does (docs/contract.md): a state record with the decision
 * headers, a conflict record, a rejection. That the processor writes exactly these is DecisionHeadersTopologyTest's
 * part; the whole path with the real processor is EndToEndIT's.
 */
@ExtendWith(KafkaBrokerExtension.class)
class WriteOutcomesDoorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORDER = """
            {"customerId": "c-1", "status": "PENDING", "currency": "EUR", "totalCents": 1250, "lines": []}""";

    private static RunningProducerService first;
    private static RunningProducerService second;
    private static KafkaProducer<String, byte[]> ledger;

    @BeforeAll
    static void start() {
        first = RunningProducerService.start(KafkaBrokerExtension.bootstrapServers());
        second = RunningProducerService.start(KafkaBrokerExtension.bootstrapServers());
        ledger = new KafkaProducer<>(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        ledger.close();
        second.close();
        first.close();
    }

    @Test
    void shouldAnswerAWaitingWriteWithItsOutcomeAndAnyInstanceAnswersTheLookup() throws Exception {
        String id = KafkaTestClients.uniqueId("c");
        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> first.putJson("/v1/entities/customer/" + id,
                "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}", "Prefer", "wait=20"));
        EntityEvent event = awaitEvent("customer", id);
        applied(event, 4, List.of("name"));
        conflict(event, ConflictScope.FIELDS, List.of("name"), 4);

        HttpResponse<String> answer = waiting.get();
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Preference-Applied")).contains("wait=20");
        JsonNode outcome = JSON.readTree(answer.body());
        assertThat(outcome.path("outcome").asText()).isEqualTo("applied");
        assertThat(outcome.path("version").asLong()).isEqualTo(4);
        assertThat(outcome.path("lostFields")).extracting(JsonNode::asText).containsExactly("name");
        assertThat(outcome.path("winner").path("writer").asText()).isEqualTo("sales");
        assertThat(Instant.parse(outcome.path("decidedAt").asText())).as("ISO-8601, as a replica's updatedAt").isBefore(Instant.now());
        assertThat(ConsistencyToken.parse(outcome.path("consistencyToken").asText()).writes())
                .containsExactly(ConsistencyToken.Write.decided("customer", id, 4));

        // The other instance reads the decisions on its own: it may be a poll behind, so it is asked to wait for it.
        HttpResponse<String> elsewhere = second.get("/v1/writes/" + event.getEventId(), "Prefer", "wait=20");
        assertThat(elsewhere.statusCode()).as(elsewhere.body()).isEqualTo(200);
        assertThat(JSON.readTree(elsewhere.body())).isEqualTo(outcome);
    }

    @Test
    void shouldAnswer409WithTheCurrentVersionWhenTheProcessorRefusesAStaleIfMatch() throws Exception {
        String id = KafkaTestClients.uniqueId("o");
        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> first.putJson("/v1/entities/order/" + id,
                ORDER, "If-Match", "\"2\"", "Prefer", "wait=20"));
        EntityEvent event = awaitEvent("order", id);
        rejected(event, RejectionReason.VERSION_MISMATCH, 5);

        HttpResponse<String> answer = waiting.get();
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(409);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(answer.headers().firstValue("ETag")).contains("\"5\"");
        JsonNode error = JSON.readTree(answer.body()).path("errors").get(0);
        assertThat(error.path("field").asText()).isEqualTo("If-Match");
        assertThat(error.path("expected").asText()).startsWith("\"5\"");
        assertThat(JSON.readTree(second.get("/v1/writes/" + event.getEventId(), "Prefer", "wait=20").body()).path("outcome").asText())
                .isEqualTo("rejected");
    }

    @Test
    void shouldTellTheLoserWhoWonAndWaitInABatchForEveryItemAtOnce() throws Exception {
        String lost = KafkaTestClients.uniqueId("c");
        String won = KafkaTestClients.uniqueId("c");
        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> first.postJson("/v1/events", """
                [{"op": "UPSERT", "type": "customer", "id": "%s", "data": {"name": "Old", "email": "o@example.com"}},
                 {"op": "UPSERT", "type": "customer", "id": "%s", "data": {"name": "New", "email": "n@example.com"}},
                 {"op": "UPSERT", "type": "nope", "id": "x", "data": {}}]""".formatted(lost, won), "Prefer", "wait=20"));
        EntityEvent loser = awaitEvent("customer", lost);
        EntityEvent winner = awaitEvent("customer", won);
        conflict(loser, ConflictScope.RECORD, List.of("name", "email"), 9);
        applied(winner, 1, List.of());

        HttpResponse<String> answer = waiting.get();
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(207);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("accepted").asInt()).isEqualTo(2);
        JsonNode first = body.path("results").get(0);
        assertThat(first.path("status").asInt()).isEqualTo(200);
        assertThat(first.path("outcome").path("outcome").asText()).isEqualTo("superseded");
        assertThat(first.path("outcome").path("winner").path("writer").asText()).isEqualTo("sales");
        assertThat(first.path("outcome").path("rule").asText()).isEqualTo("field-merge");
        assertThat(body.path("results").get(1).path("outcome").path("outcome").asText()).isEqualTo("applied");
        assertThat(body.path("results").get(2).path("status").asInt()).isEqualTo(404);
        assertThat(ConsistencyToken.parse(body.path("consistencyToken").asText()).writes()).containsExactly(
                ConsistencyToken.Write.decided("customer", lost, 9), ConsistencyToken.Write.decided("customer", won, 1));
    }

    @Test
    void shouldAnswer202WithAnUndecidedTokenWhenNoDecisionComesInTime() throws Exception {
        String id = KafkaTestClients.uniqueId("c");
        HttpResponse<String> answer = first.putJson("/v1/entities/customer/" + id, "{\"name\": \"Ada\", \"email\": \"a@example.com\"}",
                "Prefer", "wait=1");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        assertThat(answer.headers().firstValue("Preference-Applied")).contains("wait=1");
        JsonNode receipt = JSON.readTree(answer.body());
        assertThat(ConsistencyToken.parse(receipt.path("consistencyToken").asText()).writes())
                .containsExactly(ConsistencyToken.Write.undecided("customer", id, receipt.path("eventId").asText()));
        HttpResponse<String> unknown = second.get("/v1/writes/" + receipt.path("eventId").asText());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("errors").get(0).path("field").asText()).isEqualTo("eventId");
    }

    @Test
    void shouldRefuseAMalformedWaitOrIdAndHideOutcomesFromClientsThatMayNotWriteTheType() throws Exception {
        String id = KafkaTestClients.uniqueId("o");
        HttpResponse<String> badWait = first.putJson("/v1/entities/customer/" + id, "{\"name\": \"A\", \"email\": \"a@example.com\"}",
                "Prefer", "wait=soon");
        assertThat(badWait.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badWait.body()).path("errors").get(0).path("field").asText()).isEqualTo("Prefer");
        assertThat(TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), first.contract(), "customer", id)).as("nothing published").isEmpty();

        HttpResponse<String> badId = first.get("/v1/writes/not-a-uuid");
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badId.body()).path("errors").get(0).path("field").asText()).isEqualTo("eventId");
        assertThat(first.get("/v1/writes/" + java.util.UUID.randomUUID(), RunningProducerService.ANONYMOUS).statusCode()).isEqualTo(401);

        HttpResponse<String> order = first.putJson("/v1/entities/order/" + id, ORDER);
        EntityEvent event = awaitEvent("order", id);
        applied(event, 1, List.of());
        String lookup = "/v1/writes/" + JSON.readTree(order.body()).path("eventId").asText();
        assertThat(first.get(lookup, "Prefer", "wait=20").statusCode()).isEqualTo(200);
        // customer-writer may write customers only: an order's outcome is as unknown to it as a write that never was.
        assertThat(first.get(lookup, "X-Api-Key", RunningProducerService.KEY_CUSTOMER_WRITER).statusCode()).isEqualTo(404);
    }

    private static EntityEvent awaitEvent(String type, String id) {
        ConcordContract contract = first.contract();
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), contract, type, id), events -> !events.isEmpty())
                .get(0);
    }

    private static void applied(EntityEvent event, long version, List<String> lostFields) throws Exception {
        EntityState state = EntityState.newBuilder().setEntityType(event.getEntityType()).setEntityId(event.getEntityId())
                .setVersion(version).setClock(event.getClock()).setWriter(event.getWriter()).setDeleted(false)
                .setPayload(event.getPayload()).setFieldStamps(Map.of()).setLastEventId(event.getEventId())
                .setUpdatedAt(Instant.now()).build();
        RecordHeaders headers = new RecordHeaders();
        DecisionHeaders.mark(headers, event.getEventId().toString(), lostFields);
        String topic = "concord.state." + event.getEntityType();
        ledger.send(new ProducerRecord<>(topic, null, event.getEntityId(),
                first.contract().topics().stateSerde().serializer().serialize(topic, state), headers)).get();
    }

    private static void conflict(EntityEvent event, ConflictScope scope, List<String> fields, long stateVersion) throws Exception {
        ConflictRecord conflict = ConflictRecord.newBuilder().setEntityType(event.getEntityType()).setEntityId(event.getEntityId())
                .setRule("field-merge").setScope(scope).setFields(fields)
                .setWinner(new WriteRef(null, new HybridClock(event.getClock().getPhysicalMillis() + 1, 0), "sales", null))
                .setLoser(new WriteRef(event.getEventId(), event.getClock(), event.getWriter(), event.getOp()))
                .setStateVersion(stateVersion).setLoserPayload(event.getPayload()).setDetectedAt(Instant.now()).build();
        ledger.send(new ProducerRecord<>("concord.conflicts", event.getEntityType() + "/" + event.getEntityId(),
                first.contract().topics().conflicts().valueSerde().serializer().serialize("concord.conflicts", conflict))).get();
    }

    private static void rejected(EntityEvent event, RejectionReason reason, long currentVersion) throws Exception {
        RejectedEvent rejected = RejectedEvent.newBuilder().setReason(reason).setDetail("expected version 2 but the entity is at version "
                + currentVersion).setCurrentVersion(currentVersion).setEvent(event).setRejectedAt(Instant.now()).build();
        ledger.send(new ProducerRecord<>("concord.rejected", event.getEntityType() + "/" + event.getEntityId(),
                first.contract().topics().rejected().valueSerde().serializer().serialize("concord.rejected", rejected))).get();
    }

}
