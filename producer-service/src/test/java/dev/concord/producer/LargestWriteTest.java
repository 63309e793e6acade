package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.FieldStamp;
import dev.concord.contract.avro.HybridClock;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.outcomes.DecisionHeaders;
import dev.concord.contract.topics.StateRecordLimits;
import dev.concord.contract.types.EntityType;
import dev.concord.producer.write.PayloadLimits;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Accepted means applied, at the boundary: the largest body the door accepts is published, one byte more
 * is a 413 problem; a field-merge field at its share is published, one byte more is a 413 naming it; and the
 * largest payload actually published, put into the largest state envelope with the real encoders, stays
 * within what sync-processor writes ({@code concord.sync.max-output-bytes}). Through the processor to a
 * replica is the end-to-end test's job.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LargestWriteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningProducerService service;
    private static PayloadLimits limits;

    @BeforeAll
    static void startService() {
        service = RunningProducerService.start(KafkaBrokerExtension.bootstrapServers());
        limits = service.bean(PayloadLimits.class);
    }

    @AfterAll
    static void stopService() {
        service.close();
    }

    @Test
    void shouldPublishTheLargestAcceptedBodyAndAnswer413ForOneByteMore() {
        // Given: order bodies of exactly the body limit and one byte more
        String id = KafkaTestClients.uniqueId("o");
        String largest = orderOfLength(limits.maxBodyBytes());
        String oneMore = orderOfLength(limits.maxBodyBytes() + 1);

        // When
        HttpResponse<String> accepted = service.putJson("/v1/entities/order/" + id, largest);
        HttpResponse<String> refused = service.putJson("/v1/entities/order/" + id, oneMore);

        // Then
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode error = json(refused.body()).path("errors").get(0);
        assertThat(error.path("field").asText()).isEqualTo("(body)");
        assertThat(error.path("expected").asText()).isEqualTo("a body of at most " + limits.maxBodyBytes() + " bytes");

        // And: exactly one event, whose state in the largest envelope the processor can write
        EntityEvent event = TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), service.contract(), "order", id).get(0);
        assertThat(TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), service.contract(), "order", id)).hasSize(1);
        assertThat(largestStateSize(service.contract().types().require("order"), event))
                .isLessThanOrEqualTo(StateRecordLimits.DEFAULT_MAX_OUTPUT_BYTES);
    }

    @Test
    void shouldPublishAFieldMergeFieldAtItsShareAndAnswer413NamingTheFieldForOneByteMore() {
        // Given: a customer name whose encoding (3-byte length + characters) is exactly the per-field share
        String id = KafkaTestClients.uniqueId("c");
        int share = limits.maxFieldBytes(service.contract().types().require("customer"));
        String atShare = "n".repeat(share - 3);

        // When
        HttpResponse<String> put = service.putJson("/v1/entities/customer/" + id, customer(atShare));
        HttpResponse<String> patch = service.patch("/v1/entities/customer/" + id, "{\"email\": \"" + atShare + "\"}");
        HttpResponse<String> tooLarge = service.patch("/v1/entities/customer/" + id, "{\"email\": \"" + atShare + "n\"}");
        HttpResponse<String> batch = service.postJson("/v1/events", "[{\"op\": \"UPSERT\", \"type\": \"customer\", \"id\": \""
                + id + "\", \"data\": " + customer(atShare + "n") + "}]");

        // Then
        assertThat(put.statusCode()).as(put.body()).isEqualTo(202);
        assertThat(patch.statusCode()).as(patch.body()).isEqualTo(202);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode error = json(tooLarge.body()).path("errors").get(0);
        assertThat(json(tooLarge.body()).path("type").asText()).isEqualTo("https://concord.dev/problems/payload-too-large");
        assertThat(error.path("field").asText()).isEqualTo("email");
        assertThat(error.path("actual").asText()).isEqualTo((share + 1) + " bytes");
        JsonNode item = json(batch.body()).path("results").get(0);
        assertThat(item.path("status").asInt()).isEqualTo(413);
        assertThat(item.path("problem").path("errors").get(0).path("field").asText()).isEqualTo("name");

        // And: only the two accepted writes were published, and their merge (name from one, email from the other) fits
        assertThat(TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), service.contract(), "customer", id)).hasSize(2);
    }

    /**
     * The event's payload in a state with the longest id, writer, every field stamped and as many remembered event ids
     * as the processor can keep, plus its key and decision headers: the whole record the processor would write.
     */
    private static int largestStateSize(EntityType type, EntityEvent event) {
        String writer = "w".repeat(PayloadLimits.MAX_WRITER_BYTES);
        HybridClock clock = new HybridClock(Long.MIN_VALUE, Integer.MIN_VALUE);
        Map<String, FieldStamp> stamps = new LinkedHashMap<>();
        for (Schema.Field field : type.schema().getFields()) {
            stamps.put(field.name(), new FieldStamp(clock, writer, true));
        }
        EntityState state = EntityState.newBuilder().setEntityType(type.name())
                .setEntityId("\uD83D\uDE00".repeat(EntityIdGrammar.MAX_LENGTH)).setVersion(Long.MIN_VALUE).setClock(clock)
                .setWriter(writer).setDeleted(false).setPayload(event.getPayload()).setFieldStamps(stamps)
                .setLastEventId(UUID.randomUUID()).setUpdatedAt(Instant.ofEpochMilli(Long.MIN_VALUE))
                .setRecentEventIds(java.nio.ByteBuffer.allocate(StateRecordLimits.EVENT_ID_BYTES * StateRecordLimits.MAX_RECENT_EVENT_IDS)).build();
        int key = state.getEntityId().getBytes(StandardCharsets.UTF_8).length;
        int value = service.contract().topics().stateSerde().serializer().serialize("concord.state." + type.name(), state).length;
        int lostFields = String.join(",", stamps.keySet()).getBytes(StandardCharsets.UTF_8).length;
        int decisionHeaders = DecisionHeaders.DECIDED_EVENT.length() + 36 + DecisionHeaders.LOST_FIELDS.length() + lostFields;
        return key + value + decisionHeaders;
    }

    /** A valid order body of exactly {@code bytes} bytes of UTF-8 (the note fills it). */
    private static String orderOfLength(int bytes) {
        String empty = "{\"customerId\": \"c-1\", \"status\": \"PAID\", \"currency\": \"EUR\", \"totalCents\": 1, \"note\": \"\"}";
        String body = empty.replace("\"note\": \"\"", "\"note\": \"" + "n".repeat(bytes - empty.length()) + "\"");
        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        return body;
    }

    private static String customer(String name) {
        return "{\"name\": \"" + name + "\", \"email\": \"ada@example.com\"}";
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
