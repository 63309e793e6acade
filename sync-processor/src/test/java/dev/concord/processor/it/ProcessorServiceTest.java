package dev.concord.processor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.events.ParkingCommand;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.contract.types.MergePolicy;
import dev.concord.contract.types.PoisonPolicy;
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

        try (ApplicationContext app = start(bootstrap, declaration);
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
                // The hanging-transaction watch runs from the start (docs/operations.md, "A transaction left hanging").
                assertThat(metrics).contains("concord_processor_hanging_transactions 0.0");
                assertThat(metrics).contains("concord_processor_hanging_transactions_last_look_seconds ");
            });
            HttpResponse<String> state = queryState(base.resolve("/v1/state/" + type.name() + "/c-1"));
            assertThat(state.statusCode()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(state.body());
            assertThat(body.path("version").asLong()).isEqualTo(1);
            assertThat(body.path("data").path("name").asText()).isEqualTo("Ada");
            assertThat(body.path("fieldStamps").path("name").path("writer").asText()).isEqualTo("w");
            assertThat(queryState(base.resolve("/v1/state/" + type.name() + "/nobody")).statusCode()).isEqualTo(404);
            assertThat(queryState(base.resolve("/v1/state/no-such-type/c-1")).headers().firstValue("content-type"))
                    .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(get(base.resolve("/health")).statusCode()).isEqualTo(200);
            // No management endpoint but health and metrics, even to a caller with every grant (Micronaut's defaults
            // would open thread dumps, beans, routes and refresh to any authenticated caller).
            for (String management : List.of("/threaddump", "/beans", "/routes", "/info", "/refresh")) {
                assertThat(get(base.resolve(management)).statusCode()).as(management).isEqualTo(404);
            }
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

    @Test
    void shouldListParkedEntitiesAndApplyTheirHeldEventsWhenTheOperatorSkips() throws Exception {
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        EntityType type = new EntityType(KafkaTestClients.uniqueId("park"), Customer.getClassSchema(), MergePolicy.FIELD_MERGE, 1,
                PoisonPolicy.PARK);
        Path declaration = Files.createTempFile("types", ".json");
        Files.writeString(declaration, "{\"types\":[{\"name\":\"" + type.name()
                + "\",\"schema\":\"classpath:avro/domain/customer.avsc\",\"policy\":\"field-merge\",\"partitions\":1,\"poison\":\"park\"}]}");

        try (ApplicationContext app = start(bootstrap, declaration);
             ConcordContract contract = ConcordContract.connect(Map.of("bootstrap.servers", bootstrap),
                     EntityTypes.of(List.of(type)))) {
            URI base = app.getBean(EmbeddedServer.class).getURI();
            String topic = TopicNames.events(type.name());
            byte[] poisoned = contract.topics().eventSerde().serializer().serialize("", EntityEvents.upsert(UUID.randomUUID(),
                    type.name(), "c-1", "not a customer".getBytes(StandardCharsets.UTF_8),
                    new HlcTimestamp(System.currentTimeMillis(), 0), "w", EntityEvents.source("test")));
            KafkaTestClients.send(bootstrap, List.of(
                    new ProducerRecord<>(topic, "c-1".getBytes(StandardCharsets.UTF_8), poisoned),
                    new ProducerRecord<>(topic, "c-1".getBytes(StandardCharsets.UTF_8), customerEvent(contract, type, "c-1", "Held")),
                    new ProducerRecord<>(topic, "c-2".getBytes(StandardCharsets.UTF_8), customerEvent(contract, type, "c-2", "Free"))));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode parked = new ObjectMapper().readTree(get(base.resolve("/v1/parked/" + type.name())).body());
                assertThat(parked.path("parked")).hasSize(1);
                assertThat(parked.path("parked").get(0).path("id").asText()).isEqualTo("c-1");
                assertThat(parked.path("parked").get(0).path("held").asLong()).isEqualTo(1);
                assertThat(parked.path("unreachable")).isEmpty();
                assertThat(get(base.resolve("/prometheus")).body())
                        .contains("concord_sync_parked_keys{type=\"" + type.name() + "\"} 1.0")
                        .contains("concord_sync_held_events{type=\"" + type.name() + "\"} 1.0");
                // The other entity's event, after c-1's in the same partition, goes on
                assertThat(queryState(base.resolve("/v1/state/" + type.name() + "/c-2")).statusCode()).isEqualTo(200);
            });
            assertThat(queryState(base.resolve("/v1/state/" + type.name() + "/c-1")).statusCode()).as("held, not applied").isEqualTo(404);
            assertThat(HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/parked/" + type.name())).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);

            ProducerRecord<byte[], byte[]> skip = new ProducerRecord<>(topic, "c-1".getBytes(StandardCharsets.UTF_8), null);
            skip.headers().add(ParkingCommand.header(ParkingCommand.Action.SKIP));
            KafkaTestClients.send(bootstrap, List.of(skip));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> state = queryState(base.resolve("/v1/state/" + type.name() + "/c-1"));
                assertThat(state.statusCode()).isEqualTo(200);
                assertThat(new ObjectMapper().readTree(state.body()).path("data").path("name").asText()).isEqualTo("Held");
            });
            assertThat(new ObjectMapper().readTree(get(base.resolve("/v1/parked/" + type.name())).body()).path("parked")).isEmpty();
        }
    }

    private static byte[] customerEvent(ConcordContract contract, EntityType type, String id, String name) {
        GenericRecord customer = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(),
                Customer.newBuilder().setName(name).setEmail(id + "@example.com").build());
        return contract.topics().eventSerde().serializer().serialize("", EntityEvents.upsert(UUID.randomUUID(), type.name(), id,
                contract.payloads().encode(customer), new HlcTimestamp(System.currentTimeMillis(), 0), "w", EntityEvents.source("test")));
    }

    private static ApplicationContext start(String bootstrap, Path declaration) throws java.io.IOException {
        return ApplicationContext.run(EmbeddedServer.class, Map.of(
                // A real port, not -1: it is also this instance's address for state queries (application.server).
                "micronaut.server.port", freePort(),
                "concord.kafka.bootstrap.servers", bootstrap,
                "concord.types", declaration.toString(),
                "concord.streams.application.id", KafkaTestClients.uniqueId("svc-app"),
                "concord.streams.state.dir", Files.createTempDirectory("svc-state").toString(),
                "concord.security.dev-api-key", KEY)).getApplicationContext();
    }

    private static final String KEY = "processor-test-key-" + UUID.randomUUID();

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * A state query as a client makes it: a 503 (Retry-After) is waited out. The service runs a stream thread per core, and
     * in its first seconds a thread that joins late takes tasks from the other, whose stores are then briefly not queryable.
     */
    private static HttpResponse<String> queryState(URI uri) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> get(uri), response -> response.statusCode() != 503);
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).header("X-Api-Key", KEY).build(), HttpResponse.BodyHandlers.ofString());
    }
}
