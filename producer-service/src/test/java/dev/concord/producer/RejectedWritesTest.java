package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every refused write answers {@code application/problem+json} naming the field and what was expected,
 * and publishes nothing: after each test, the events topics, read to their end with read_committed,
 * hold no record past the end offsets taken before it. The broker is shared by all test classes of
 * this JVM, which run one after another, so "nothing new" is exactly "nothing from this request".
 */
@ExtendWith(KafkaBrokerExtension.class)
class RejectedWritesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final RunningProducerService service = RunningProducerService.perTestClass();


    private Map<TopicPartition, Long> endOffsetsBefore;
    private String id;

    @BeforeEach
    void rememberEndOffsets() throws Exception {
        endOffsetsBefore = EventTopicsEnd.now(service.admin()).offsets();
        id = KafkaTestClients.uniqueId("c");
    }

    @AfterEach
    void assertNothingWasPublished() {
        List<String> published = EventTopicsEnd.EVENT_TOPICS.stream()
                .flatMap(topic -> KafkaTestClients.readAll(KafkaBrokerExtension.bootstrapServers(), topic).stream())
                .filter(r -> r.offset() >= endOffsetsBefore.get(new TopicPartition(r.topic(), r.partition())))
                .map(r -> r.topic() + "/" + r.partition() + "@" + r.offset())
                .toList();
        assertThat(published).as("records published by a refused write").isEmpty();
    }

    @Test
    void shouldAnswer400WithLineColumnAndFieldWhenJsonIsMalformed() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + id, """
                {"name": "Ada",
                 "email": }""");

        JsonNode problem = problem(response, 400, "malformed-json");
        assertThat(problem.path("detail").asText()).contains("line 2, column 11").contains("expected a JSON object");
        assertThat(onlyError(problem).path("field").asText()).isEqualTo("email");
        assertThat(onlyError(problem).path("pointer").asText()).isEqualTo("/email");
        assertThat(onlyError(problem).path("expected").asText()).isEqualTo("a JSON object");
    }

    @Test
    void shouldAnswer400WhenBodyIsJsonButNotAnObject() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + id, "[\"Ada\"]");

        JsonNode problem = problem(response, 400, "not-a-json-object");
        assertThat(onlyError(problem).path("expected").asText()).isEqualTo("a JSON object");
        assertThat(onlyError(problem).path("actual").asText()).startsWith("array");
    }

    @Test
    void shouldAnswer400WhenBodyIsEmpty() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + id, "");

        JsonNode problem = problem(response, 400, "malformed-json");
        assertThat(onlyError(problem).path("actual").asText()).isEqualTo("nothing");
    }

    @Test
    void shouldAnswer400WhenJsonHasTrailingContentOrDuplicateFields() {
        HttpResponse<String> trailing = service.putJson("/v1/entities/customer/" + id,
                "{\"name\": \"Ada\", \"email\": \"ada@example.com\"} {}");
        HttpResponse<String> duplicate = service.putJson("/v1/entities/customer/" + id,
                "{\"name\": \"Ada\", \"email\": \"ada@example.com\", \"name\": \"Grace\"}");

        problem(trailing, 400, "malformed-json");
        assertThat(problem(duplicate, 400, "malformed-json").path("detail").asText()).contains("Duplicate field 'name'");
    }

    @Test
    void shouldAnswer422NamingTheFieldWhenAFieldHasTheWrongType() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + id,
                "{\"name\": 42, \"email\": \"ada@example.com\"}");

        JsonNode error = onlyError(problem(response, 422, "invalid-payload"));
        assertThat(error.path("field").asText()).isEqualTo("name");
        assertThat(error.path("pointer").asText()).isEqualTo("/name");
        assertThat(error.path("expected").asText()).isEqualTo("string");
        assertThat(error.path("actual").asText()).isEqualTo("number 42");
    }

    @Test
    void shouldAnswer422NamingTheNestedFieldPath() {
        HttpResponse<String> response = service.putJson("/v1/entities/order/" + id, """
                {"customerId": "c-1", "status": "PAID", "currency": "EUR", "totalCents": 100,
                 "lines": [{"sku": "book", "quantity": "three", "unitPriceCents": 100}]}""");

        JsonNode error = onlyError(problem(response, 422, "invalid-payload"));
        assertThat(error.path("field").asText()).isEqualTo("lines[0].quantity");
        assertThat(error.path("pointer").asText()).isEqualTo("/lines/0/quantity");
        assertThat(error.path("expected").asText()).startsWith("int");
    }

    @Test
    void shouldAnswer422WhenARequiredFieldIsMissing() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + id, "{\"name\": \"Ada\"}");

        JsonNode error = onlyError(problem(response, 422, "invalid-payload"));
        assertThat(error.path("field").asText()).isEqualTo("email");
        assertThat(error.path("expected").asText()).isEqualTo("required string");
        assertThat(error.path("actual").asText()).isEqualTo("nothing");
    }

    @Test
    void shouldAnswer422WhenAFieldIsUnknown() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + id,
                "{\"name\": \"Ada\", \"email\": \"ada@example.com\", \"nickname\": \"Countess\"}");

        JsonNode error = onlyError(problem(response, 422, "invalid-payload"));
        assertThat(error.path("field").asText()).isEqualTo("nickname");
        assertThat(error.path("expected").asText()).startsWith("no such field").contains("name, email, phone");
    }

    @Test
    void shouldListEveryViolationNotJustTheFirst() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + id,
                "{\"name\": 42, \"tier\": \"GOLDEN\"}");

        JsonNode problem = problem(response, 422, "invalid-payload");
        assertThat(problem.path("errors").findValuesAsText("field")).containsExactlyInAnyOrder("name", "email", "tier");
    }

    @Test
    void shouldAnswer404NamingTheDeclaredTypesWhenTheTypeIsUnknown() {
        HttpResponse<String> response = service.putJson("/v1/entities/kunde/" + id, "{\"name\": \"Ada\"}");

        JsonNode error = onlyError(problem(response, 404, "unknown-entity-type"));
        assertThat(error.path("field").asText()).isEqualTo("type");
        assertThat(error.path("expected").asText()).isEqualTo("one of customer, order");
        assertThat(error.path("actual").asText()).isEqualTo("\"kunde\"");
    }

    @Test
    void shouldAnswer400NamingIdWhenTheIdIsTooLong() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + "x".repeat(257),
                "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}");

        JsonNode error = onlyError(problem(response, 400, "invalid-entity-id"));
        assertThat(error.path("field").asText()).isEqualTo("id");
        assertThat(error.path("expected").asText()).isEqualTo(EntityIdGrammar.RULE);
        assertThat(error.path("actual").asText()).isEqualTo("257 characters");
    }

    @Test
    void shouldAnswer400NamingIdWhenTheIdHasAControlCharacter() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer/c%0A1",
                "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}");

        JsonNode error = onlyError(problem(response, 400, "invalid-entity-id"));
        assertThat(error.path("field").asText()).isEqualTo("id");
        assertThat(error.path("actual").asText()).isEqualTo("control character U+000A");
    }

    @Test
    void shouldAnswer400NamingIdWhenTheIdIsMissing() {
        HttpResponse<String> response = service.putJson("/v1/entities/customer",
                "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}");

        JsonNode error = onlyError(problem(response, 400, "invalid-entity-id"));
        assertThat(error.path("field").asText()).isEqualTo("id");
        assertThat(error.path("actual").asText()).isEqualTo("nothing");
    }

    @Test
    void shouldAnswerMicronautsOwnErrorsAsProblemJsonToo() {
        HttpResponse<String> wrongContentType = service.put("/v1/entities/customer/" + id, "text/plain",
                "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}");
        HttpResponse<String> unknownRoute = service.get("/v1/nothing-here");
        HttpResponse<String> wrongMethod = service.get("/v1/entities/customer/" + id);

        assertThat(problem(wrongContentType, 415, "unsupported-media-type").path("detail").asText()).contains("application/json");
        problem(unknownRoute, 404, "not-found");
        problem(wrongMethod, 405, "method-not-allowed");
    }

    @Test
    void shouldAnswer413WhenTheBodyIsLargerThanKafkaAccepts() {
        String huge = "{\"name\": \"" + "x".repeat(1_100_000) + "\", \"email\": \"ada@example.com\"}";

        HttpResponse<String> response = service.putJson("/v1/entities/customer/" + id, huge);

        problem(response, 413, "request-entity-too-large");
    }

    @Test
    void shouldAnswer415NamingTheMergePatchTypeWhenAPatchIsSentAsPlainJson() {
        HttpResponse<String> response = service.send("PATCH", "/v1/entities/customer/" + id, "application/json", "{\"tier\": \"GOLD\"}");

        assertThat(problem(response, 415, "unsupported-media-type").path("detail").asText()).contains("application/merge-patch+json");
    }

    @Test
    void shouldAnswer422NamingThePatchedFieldWhenItsValueDoesNotFit() {
        HttpResponse<String> wrongType = service.patch("/v1/entities/customer/" + id, "{\"marketingOptIn\": \"yes\"}");
        HttpResponse<String> notFieldMerge = service.patch("/v1/entities/order/" + id, "{\"status\": \"PAID\"}");

        JsonNode error = onlyError(problem(wrongType, 422, "invalid-payload"));
        assertThat(error.path("field").asText()).isEqualTo("marketingOptIn");
        assertThat(error.path("expected").asText()).isEqualTo("boolean");
        assertThat(onlyError(problem(notFieldMerge, 422, "patch-not-supported")).path("field").asText()).isEqualTo("type");
    }

    @Test
    void shouldRefuseNamingTheHeaderWhenIfMatchOrIdempotencyKeyIsMalformedOrUnsupported() {
        HttpResponse<String> weakTag = service.delete("/v1/entities/customer/" + id, "If-Match", "W/\"3\"");
        HttpResponse<String> badKey = service.delete("/v1/entities/customer/" + id, "Idempotency-Key", "a key with spaces");
        HttpResponse<String> notOptimistic = service.delete("/v1/entities/customer/" + id, "If-Match", "\"3\"");

        assertThat(onlyError(problem(weakTag, 400, "invalid-header")).path("field").asText()).isEqualTo("If-Match");
        assertThat(onlyError(problem(badKey, 400, "invalid-header")).path("field").asText()).isEqualTo("Idempotency-Key");
        // customer is field-merge: its writes are ordered by clock, an expected version would be silently ignored
        assertThat(onlyError(problem(notOptimistic, 422, "version-check-not-supported")).path("field").asText()).isEqualTo("If-Match");
    }

    @Test
    void shouldRefuseABatchThatIsNotAnArrayOfEvents() {
        problem(service.postJson("/v1/events", "{\"op\": \"UPSERT\"}"), 400, "not-a-json-array");
        problem(service.postJson("/v1/events", "[]"), 400, "empty-batch");
        problem(service.postJson("/v1/events", "[{\"op\": "), 400, "malformed-json");
    }

    /** Asserts status and problem+json content type, and returns the problem document. */
    private static JsonNode problem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        try {
            JsonNode problem = JSON.readTree(response.body());
            assertThat(problem.path("status").asInt()).isEqualTo(status);
            assertThat(problem.path("type").asText()).isEqualTo("https://concord.dev/problems/" + slug);
            assertThat(problem.path("title").asText()).isNotBlank();
            assertThat(problem.path("detail").asText()).isNotBlank();
            return problem;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode onlyError(JsonNode problem) {
        assertThat(problem.path("errors")).as(problem.toString()).hasSize(1);
        return problem.path("errors").get(0);
    }

}
