package dev.concord.examples.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.AvroTrust;
import dev.concord.contract.avro.EntityState;
import dev.concord.domain.Address;
import dev.concord.domain.Customer;
import dev.concord.domain.CustomerTier;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.security.ApiKeys;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The example service as its team runs it (its own JVM): a real broker, a real PostgreSQL, its own table and its own read door. */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class CustomerDirectoryTest {

    private static final String READER_KEY = "directory-reader-key";
    private static final String OTHER_KEY = "other-type-reader-key";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestTypes types = TestTypes.declare(3, "directory");
    private final HttpClient http = HttpClient.newHttpClient();
    private StatePublisher publisher;
    private CustomerStates states;
    private DirectoryProcess directory;

    @BeforeEach
    void start() {
        AvroTrust.trustConcordPackages();
        publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types);
        states = publisher.states(types.name(0));
        directory = DirectoryProcess.start(DirectoryProcess.settings(PostgresExtension.createDatabase(), types.name(0), types.location(), Map.of(
                "concord.security.api-keys", "["
                        + "{\"client\":\"directory-reader\",\"sha256\":\"" + ApiKeys.sha256Hex(READER_KEY) + "\",\"grants\":[\"" + types.name(0) + ":read\"]},"
                        + "{\"client\":\"other-reader\",\"sha256\":\"" + ApiKeys.sha256Hex(OTHER_KEY) + "\",\"grants\":[\"order:read\"]}]")));
    }

    @AfterEach
    void stop() throws Exception {
        directory.close();
        publisher.close();
    }

    @Test
    void shouldServeCustomersFromItsOwnTableOnceCaughtUpAndOnlyToReaders() throws Exception {
        // Given customers as the processor decided them, one of them changed twice and one deleted
        publisher.publish(types.name(0), "c-1", customer("c-1", 1, "Ada", "London"));
        publisher.publish(types.name(0), "c-1", customer("c-1", 2, "Ada Lovelace", "London"));
        publisher.publish(types.name(0), "c-2", customer("c-2", 5, "Grace Hopper", "Arlington"));
        publisher.publish(types.name(0), "c-3", customer("c-3", 1, "Alan", "London"));
        publisher.publish(types.name(0), "c-3", states.deleted("c-3", 2));

        // When the directory has caught up
        await().atMost(WAIT).ignoreExceptions().until(() -> get("/health/readiness", null).statusCode() == 200);

        // Then it answers from its typed columns
        HttpResponse<String> ada = get("/v1/customers/c-1", READER_KEY);
        assertThat(ada.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(ada.body());
        assertThat(body.path("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(body.path("city").asText()).isEqualTo("London");
        assertThat(body.path("country").asText()).isEqualTo("GB");
        assertThat(body.path("tier").asText()).isEqualTo("GOLD");
        assertThat(body.path("version").asLong()).isEqualTo(2);
        assertThat(JSON.readTree(get("/v1/customers?city=London", READER_KEY).body()).findValuesAsText("id")).containsExactly("c-1");
        HttpResponse<String> deleted = get("/v1/customers/c-3", READER_KEY);
        assertThat(deleted.statusCode()).isEqualTo(404);
        assertThat(deleted.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));

        // And its door is closed to callers without a key, or without the type's read grant
        assertThat(get("/v1/customers/c-1", null).statusCode()).isEqualTo(401);
        assertThat(get("/v1/customers/c-1", OTHER_KEY).statusCode()).isEqualTo(403);
    }

    @Test
    void shouldAnswerHostileRequestsWithAProblemNamingTheFieldNeverA500() throws Exception {
        await().atMost(WAIT).ignoreExceptions().until(() -> get("/health/readiness", null).statusCode() == 200);

        // An unsigned token (alg "none") and a token signed with a key the door does not know never pass
        String header = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
        String claims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"mallory\",\"grants\":[\"" + types.name(0) + ":read\"],\"exp\":4102444800}").getBytes());
        assertThat(getWithBearer("/v1/customers/c-1", header + "." + claims + ".").statusCode()).isEqualTo(401);
        String hs256 = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes());
        assertThat(getWithBearer("/v1/customers/c-1", hs256 + "." + claims + ".c2lnbmVkLWJ5LW5vLW9uZQ").statusCode()).isEqualTo(401);

        // Strings PostgreSQL cannot take (a NUL byte), ids the contract refuses, and a missing parameter: 400, naming the field
        for (String[] hostile : new String[][] {{"/v1/customers/a%00b", "id"}, {"/v1/customers/" + "x".repeat(300), "id"},
                {"/v1/customers?city=Lon%00don", "city"}, {"/v1/customers", "city"}}) {
            HttpResponse<String> answer = get(hostile[0], READER_KEY);
            assertThat(answer.statusCode()).as(hostile[0]).isEqualTo(400);
            assertThat(answer.headers().firstValue("content-type")).as(hostile[0])
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(JSON.readTree(answer.body()).path("errors").findValuesAsText("field")).as(hostile[0]).contains(hostile[1]);
        }
        // And the door still serves
        assertThat(get("/v1/customers?city=London", READER_KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldFollowLaterChangesWithoutGoingBackwards() throws Exception {
        publisher.publish(types.name(0), "c-1", customer("c-1", 3, "Ada", "London"));
        await().atMost(WAIT).ignoreExceptions().until(() -> get("/v1/customers/c-1", READER_KEY).statusCode() == 200);

        publisher.publish(types.name(0), "c-1", customer("c-1", 2, "Older", "Paris"));
        publisher.publish(types.name(0), "c-1", customer("c-1", 4, "Ada", "Cambridge"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(JSON.readTree(get("/v1/customers/c-1", READER_KEY).body()).path("city").asText())
                .isEqualTo("Cambridge"));
        assertThat(JSON.readTree(get("/v1/customers?city=Paris", READER_KEY).body())).isEmpty();
    }

    @Test
    void shouldKeepApplyingRecordsWrittenWithAnEvolvedSchema() throws Exception {
        // Given the customer schema evolved twice, compatibly: a field added with a default, and one with a default removed
        Schema withNickname = evolved(fields -> fields.add(new Schema.Field("nickname",
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)), null, JsonProperties.NULL_VALUE)));
        Schema withoutPhone = evolved(fields -> fields.removeIf(field -> field.name().equals("phone")));
        String subject = "entity." + types.name(0);
        publisher.contract().catalog().register(subject, withNickname);
        publisher.contract().catalog().register(subject, withoutPhone);

        // When writers on each schema publish
        publisher.publish(types.name(0), "new-1", stateWith(new GenericRecordBuilder(withNickname)
                .set("name", "Ada").set("email", "ada@example.com").set("nickname", "Countess").build(), "new-1"));
        publisher.publish(types.name(0), "old-1", stateWith(new GenericRecordBuilder(withoutPhone)
                .set("name", "Grace").set("email", "grace@example.com").build(), "old-1"));

        // Then the directory applies both, with what its columns hold
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(JSON.readTree(get("/v1/customers/new-1", READER_KEY).body()).path("name").asText()).isEqualTo("Ada");
            assertThat(JSON.readTree(get("/v1/customers/old-1", READER_KEY).body()).path("name").asText()).isEqualTo("Grace");
        });
    }

    /** The declared customer schema with its top-level fields changed. */
    private static Schema evolved(java.util.function.Consumer<java.util.List<Schema.Field>> change) {
        Schema declared = Customer.getClassSchema();
        java.util.List<Schema.Field> fields = new java.util.ArrayList<>();
        declared.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        change.accept(fields);
        return Schema.createRecord(declared.getName(), declared.getDoc(), declared.getNamespace(), false, fields);
    }

    private EntityState stateWith(GenericRecord payload, String id) {
        EntityState state = states.live(id, 1, "placeholder");
        state.setPayload(ByteBuffer.wrap(states.encode(payload)));
        return state;
    }

    private EntityState customer(String id, long version, String name, String city) {
        Customer customer = Customer.newBuilder().setName(name).setEmail(id + "@example.com").setTier(CustomerTier.GOLD)
                .setAddress(Address.newBuilder().setStreet("1 Main St").setCity(city).setPostalCode("0000").setCountry(city.equals("London") ? "GB" : "US").build())
                .build();
        EntityState live = states.live(id, version, name);
        live.setPayload(ByteBuffer.wrap(states.encode(customer)));
        return live;
    }

    private HttpResponse<String> getWithBearer(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + directory.port() + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String apiKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + directory.port() + path)).GET();
        if (apiKey != null) {
            request.header("X-Api-Key", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
