package dev.concord.processor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.domain.Customer;
import dev.concord.testsupport.ForgedTokens;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The service as deployed: health, metrics on /prometheus and state queries, against a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
class ProcessorServiceTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldCountAppliedEventsAndDeadLettersAndServeTheState() throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        EntityType type = new EntityType(KafkaTestClients.uniqueId("svc"), Customer.getClassSchema(), MergePolicy.FIELD_MERGE, 1);
        Path declaration = Files.createTempFile("types", ".json");
        Files.writeString(declaration, "{\"types\":[{\"name\":\"" + type.name()
                + "\",\"schema\":\"classpath:avro/domain/customer.avsc\",\"policy\":\"field-merge\",\"partitions\":1}]}");

        try (ApplicationContext app = ApplicationContext.run(EmbeddedServer.class, Map.of(
                // A real port, not -1: it is also this instance's address for state queries (application.server).
                "micronaut.server.port", freePort(),
                "concord.kafka.bootstrap.servers", bootstrap,
                "concord.types", declaration.toString(),
                "concord.streams.application.id", KafkaTestClients.uniqueId("svc-app"),
                "concord.streams.state.dir", Files.createTempDirectory("svc-state").toString(),
                "concord.security.dev-api-key", KEY)).getApplicationContext();
             ConcordContract contract = ConcordContract.connect(Map.of("bootstrap.servers", bootstrap),
                     EntityTypes.of(List.of(type)))) {
            URI base = app.getBean(EmbeddedServer.class).getURI();
            GenericRecord ada = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(),
                    Customer.newBuilder().setName("Ada").setEmail("ada@example.com").build());
            byte[] event = contract.topics().eventSerde().serializer().serialize("", EntityEvents.upsert(UUID.randomUUID(),
                    type.name(), "c-1", contract.payloads().encode(ada), new HlcTimestamp(System.currentTimeMillis(), 0), "w",
                    EntityEvents.source("test")));
            KafkaTestClients.send(bootstrap, List.of(
                    new ProducerRecord<>(TopicNames.events(type.name()), "c-1".getBytes(StandardCharsets.UTF_8), event),
                    new ProducerRecord<>(TopicNames.events(type.name()), "c-2".getBytes(StandardCharsets.UTF_8),
                            "garbage".getBytes(StandardCharsets.UTF_8))));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String metrics = get(base.resolve("/prometheus")).body();
                assertThat(metrics).contains("concord_sync_applied_total{type=\"" + type.name() + "\"} 1.0");
                assertThat(metrics).contains("concord_sync_dead_letters_total{stage=\"deserialize\"}");
            });
            HttpResponse<String> state = get(base.resolve("/v1/state/" + type.name() + "/c-1"));
            assertThat(state.statusCode()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(state.body());
            assertThat(body.path("version").asLong()).isEqualTo(1);
            assertThat(body.path("data").path("name").asText()).isEqualTo("Ada");
            assertThat(body.path("fieldStamps").path("name").path("writer").asText()).isEqualTo("w");
            assertThat(get(base.resolve("/v1/state/" + type.name() + "/nobody")).statusCode()).isEqualTo(404);
            assertThat(get(base.resolve("/v1/state/no-such-type/c-1")).headers().firstValue("content-type"))
                    .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(get(base.resolve("/health")).statusCode()).isEqualTo(200);
            // An id no door would accept is a 400 naming the id, not a lookup (and never a 500 or 503).
            for (String hostile : List.of("a%00b", "a%0D%0Ab", "%E2%80%AEevil", "%20%20")) {
                HttpResponse<String> refused = get(base.resolve("/v1/state/" + type.name() + "/" + hostile));
                assertThat(refused.statusCode()).as(hostile).isEqualTo(400);
                assertThat(refused.body()).as(hostile).contains("\"field\":\"id\"");
            }
            // State queries (with field stamps) need credentials: none, an unknown key or an unsigned token is a 401.
            String unsigned = ForgedTokens.unsigned("mallory", "*:*");
            URI query = base.resolve("/v1/state/" + type.name() + "/c-1");
            for (String[] credentials : List.of(new String[0], new String[] {"X-Api-Key", "guess"},
                    new String[] {"Authorization", "Bearer " + unsigned})) {
                HttpRequest.Builder request = HttpRequest.newBuilder(query);
                if (credentials.length > 0) {
                    request.headers(credentials);
                }
                HttpResponse<String> refused = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).isEqualTo(401);
                assertThat(refused.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            }
        }
    }

    private static final String KEY = "processor-test-key-" + UUID.randomUUID();

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).header("X-Api-Key", KEY).build(), HttpResponse.BodyHandlers.ofString());
    }
}
