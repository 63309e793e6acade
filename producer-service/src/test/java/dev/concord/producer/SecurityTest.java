package dev.concord.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.testsupport.ForgedTokens;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Security on by default: 401 without usable credentials, 403 without the grant (a key allowed for
 * {@code customer} cannot write {@code order}), server-owned fields only for trusted writers, JWTs with
 * grants, and a rate limit per client; every refusal problem+json, publishing nothing.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SecurityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CUSTOMER = "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}";
    private static final String ORDER = """
            {"customerId": "c-1", "status": "PENDING", "currency": "EUR", "totalCents": 1, "lines": []}""";
    @RegisterExtension
    static final RunningProducerService service = RunningProducerService.perTestClass();

    private String id;

    @BeforeEach
    void newId() {
        id = KafkaTestClients.uniqueId("sec");
    }

    @Test
    void shouldAnswer401SayingWhatWasWrongWithTheCredentials() throws Exception {
        HttpResponse<String> none = service.putJson("/v1/entities/customer/" + id, CUSTOMER, RunningProducerService.ANONYMOUS);
        HttpResponse<String> unknownKey = service.putJson("/v1/entities/customer/" + id, CUSTOMER, "X-Api-Key", "not-a-key");
        HttpResponse<String> badToken = service.putJson("/v1/entities/customer/" + id, CUSTOMER, "Authorization", "Bearer not.a.jwt");
        HttpResponse<String> expired = service.putJson("/v1/entities/customer/" + id, CUSTOMER,
                "Authorization", "Bearer " + RunningProducerService.jwt("late", List.of("*:*"), Instant.now().minusSeconds(60)));
        HttpResponse<String> unsigned = service.putJson("/v1/entities/customer/" + id, CUSTOMER,
                "Authorization", "Bearer " + ForgedTokens.unsigned("mallory", "*:*", "trusted-writer"));

        assertThat(problem(none, 401, "unauthorized").path("detail").asText()).contains("None was sent");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).contains("ApiKey").contains("Bearer"));
        assertThat(problem(unknownKey, 401, "unauthorized").path("detail").asText()).contains("not a configured key");
        assertThat(problem(badToken, 401, "unauthorized").path("detail").asText()).contains("bearer token");
        problem(expired, 401, "unauthorized");
        problem(unsigned, 401, "unauthorized");
        assertThat(events("customer")).isEmpty();
    }

    @Test
    void shouldAuthorizePerEntityTypeAndOperation() throws Exception {
        String[] customerWriter = {"X-Api-Key", RunningProducerService.KEY_CUSTOMER_WRITER};

        assertThat(service.putJson("/v1/entities/customer/" + id, CUSTOMER, customerWriter).statusCode()).isEqualTo(202);
        assertThat(service.patch("/v1/entities/customer/" + id, "{\"tier\": \"GOLD\"}",
                "Authorization", "ApiKey " + RunningProducerService.KEY_CUSTOMER_WRITER).statusCode()).isEqualTo(202);
        JsonNode noOrders = problem(service.putJson("/v1/entities/order/" + id, ORDER, customerWriter), 403, "forbidden");
        JsonNode noDeletes = problem(service.delete("/v1/entities/customer/" + id, customerWriter), 403, "forbidden");
        HttpResponse<String> batch = service.postJson("/v1/events", """
                [{"op": "UPSERT", "type": "order", "id": "%s", "data": %s}]""".formatted(id, ORDER), customerWriter);

        assertThat(noOrders.path("detail").asText()).contains("order:write");
        assertThat(noOrders.path("errors").get(0).path("expected").asText()).isEqualTo("a client granted order:write");
        assertThat(noDeletes.path("detail").asText()).contains("customer:delete");
        assertThat(JSON.readTree(batch.body()).path("results").get(0).path("status").asInt()).isEqualTo(403);
        assertThat(events("customer")).hasSize(2);
        assertThat(events("order")).isEmpty();
        // An undeclared type: refused for want of its grant, before the refusal could list the declared types
        HttpResponse<String> unknown = service.putJson("/v1/entities/no-such-type/" + id, CUSTOMER, customerWriter);
        assertThat(problem(unknown, 403, "forbidden").toString()).doesNotContain("order");
    }

    @Test
    void shouldTakeClientAndGrantsFromAJwt() throws Exception {
        String token = RunningProducerService.jwt("orders-app", List.of("order:write"), Instant.now().plusSeconds(300));

        HttpResponse<String> allowed = service.putJson("/v1/entities/order/" + id, ORDER, "Authorization", "Bearer " + token);
        HttpResponse<String> denied = service.putJson("/v1/entities/customer/" + id, CUSTOMER, "Authorization", "Bearer " + token);

        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(202);
        assertThat(problem(denied, 403, "forbidden").path("detail").asText()).contains("'orders-app'");
    }

    @Test
    void shouldLetOnlyTrustedWritersSetClockAndWriter() {
        long physical = System.currentTimeMillis() - 1_000;

        JsonNode untrusted = problem(service.putJson("/v1/entities/customer/" + id, CUSTOMER,
                "X-Concord-Clock", physical + ".7"), 403, "forbidden");
        assertThat(untrusted.path("errors").get(0).path("field").asText()).isEqualTo("X-Concord-Clock");
        assertThat(events("customer")).isEmpty();

        HttpResponse<String> trusted = service.putJson("/v1/entities/customer/" + id, CUSTOMER,
                "X-Api-Key", RunningProducerService.KEY_TRUSTED, "X-Concord-Clock", physical + ".7", "X-Concord-Writer", "migration-1");
        HttpResponse<String> dev = service.patch("/v1/entities/customer/" + id, "{\"tier\": \"GOLD\"}",
                "X-Api-Key", RunningProducerService.KEY_DEV, "X-Concord-Writer", "local-dev");
        HttpResponse<String> farFuture = service.putJson("/v1/entities/customer/" + id, CUSTOMER,
                "X-Api-Key", RunningProducerService.KEY_TRUSTED, "X-Concord-Clock", (physical + 3_600_000) + ".0");

        assertThat(trusted.statusCode()).as(trusted.body()).isEqualTo(202);
        assertThat(dev.statusCode()).as(dev.body()).isEqualTo(202);
        problem(farFuture, 422, "invalid-clock");
        List<EntityEvent> events = events("customer");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).getClock().getPhysicalMillis()).isEqualTo(physical);
        assertThat(events.get(0).getClock().getLogical()).isEqualTo(7);
        assertThat(events.get(0).getWriter()).isEqualTo("migration-1");
        assertThat(events.get(1).getWriter()).isEqualTo("local-dev");
    }

    @Test
    void shouldServeProbesAndTheOpenApiDocumentWithoutCredentialsButMetricsOnlyWithThem() {
        HttpResponse<String> health = service.get("/health", RunningProducerService.ANONYMOUS);
        HttpResponse<String> openApi = service.get("/openapi.yaml", RunningProducerService.ANONYMOUS);

        assertThat(health.statusCode()).isEqualTo(200);
        // The Kubernetes probes
        assertThat(service.get("/health/liveness", RunningProducerService.ANONYMOUS).statusCode()).isEqualTo(200);
        assertThat(service.get("/health/readiness", RunningProducerService.ANONYMOUS).statusCode()).isEqualTo(200);
        assertThat(openApi.statusCode()).isEqualTo(200);
        assertThat(openApi.body()).startsWith("openapi: 3.1.0").contains("/v1/entities/{type}/{id}:").contains("/v1/events:");
        // Health details and metrics need credentials unless an operator opens them.
        assertThat(health.body()).doesNotContain("details");
        assertThat(service.get("/prometheus", RunningProducerService.ANONYMOUS).statusCode()).isEqualTo(401);
        HttpResponse<String> metrics = service.get("/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("http_server_requests_seconds");
    }

    @Test
    void shouldAnswer429WithRetryAfterOverTheRateLimit() {
        try (RunningProducerService limited = RunningProducerService.start(KafkaBrokerExtension.bootstrapServers(),
                Map.of("concord.security.rate-limit.per-second", 0.2, "concord.security.rate-limit.burst", 2))) {
            assertThat(limited.putJson("/v1/entities/customer/" + id, CUSTOMER).statusCode()).isEqualTo(202);
            assertThat(limited.putJson("/v1/entities/customer/" + id, CUSTOMER).statusCode()).isEqualTo(202);

            HttpResponse<String> third = limited.putJson("/v1/entities/customer/" + id, CUSTOMER);

            problem(third, 429, "rate-limited");
            assertThat(third.headers().firstValue("Retry-After")).hasValueSatisfying(s -> assertThat(Integer.parseInt(s)).isBetween(1, 5));
            // Another client has its own bucket.
            assertThat(limited.putJson("/v1/entities/customer/" + id, CUSTOMER, "X-Api-Key", RunningProducerService.KEY_TRUSTED)
                    .statusCode()).isEqualTo(202);
        }
    }

    @Test
    void shouldAcceptWritesWithoutCredentialsOnlyWhenSecurityIsSwitchedOff() {
        try (RunningProducerService open = RunningProducerService.start(KafkaBrokerExtension.bootstrapServers(),
                Map.of("micronaut.security.enabled", false))) {
            HttpResponse<String> response = open.putJson("/v1/entities/customer/" + id, CUSTOMER, RunningProducerService.ANONYMOUS);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(events("customer")).singleElement().satisfies(e -> assertThat(e.getWriter()).isEqualTo(open.writerId()));
        }
    }

    private List<EntityEvent> events(String type) {
        return TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), service.contract(), type, id);
    }


    static JsonNode problem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        try {
            JsonNode problem = JSON.readTree(response.body());
            assertThat(problem.path("type").asText()).isEqualTo("https://concord.dev/problems/" + slug);
            assertThat(problem.path("status").asInt()).isEqualTo(status);
            return problem;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
