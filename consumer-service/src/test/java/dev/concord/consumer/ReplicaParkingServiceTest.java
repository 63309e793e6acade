package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * For a type declared {@code "poison": "park"}, a state this replica dead-letters holds back the entity's later states:
 * the operator sees it parked (endpoint and gauge) and releases it, and the newest held state applies through the change
 * feed. Real broker, real PostgreSQL, the whole service.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReplicaParkingServiceTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldHoldAParkedEntitysLaterStatesUntilTheOperatorReleasesIt() throws Exception {
        try (ReplicaUnderTest started = ReplicaUnderTest.start(TestTypes.declareParking(1, "parked"), Map.of())) {
            String type = started.types().name(0);
            StatePublisher publisher = started.publisher();
            ReplicaDatabase database = started.database();
            RunningReplica replica = started.replica();
            CustomerStates states = publisher.states(type);
            // Given an entity whose second state the store refuses (U+0000 in jsonb), then a third state, and another entity
            publisher.publish(type, "c-1", states.live("c-1", 1, "Ada"));
            await().atMost(WITHIN).until(() -> database.entity(type, "c-1").isPresent());
            publisher.publish(type, "c-1", states.live("c-1", 2, "Ada\u0000Lovelace"));
            await().atMost(WITHIN).until(() -> listed(replica, type).size() == 1);
            // A third that still carries the refused value (a field-merge state keeps the fields nobody touched) cannot
            // be held either: it is dead-lettered too, and the replica goes on
            publisher.publish(type, "c-1", states.live("c-1", 3, "Ada\u0000Lovelace"));
            publisher.publish(type, "c-1", states.live("c-1", 4, "Ada Lovelace"));
            publisher.publish(type, "c-2", states.live("c-2", 1, "Grace"));

            // Then the later state is held, the other entity applied, and the operator sees it parked
            await().atMost(WITHIN).until(() -> database.entity(type, "c-2").isPresent()
                    && listed(replica, type).get(0).path("heldVersion").asLong() == 4);
            JsonNode deadLetters = FeedClients.json(replica.get("/v1/replica/dead-letters").body());
            assertThat(deadLetters.toString()).contains("held behind a parked state, but the store refused it");
            assertThat(database.entity(type, "c-1").orElseThrow().version()).isEqualTo(1);
            JsonNode parked = listed(replica, type).get(0);
            assertThat(parked.path("id").asText()).isEqualTo("c-1");
            assertThat(parked.path("reason").asText()).contains("22P05");
            assertThat(replica.get("/prometheus").body()).contains("concord_replica_parked_keys{type=\"" + type + "\"} 1.0");

            // The door: credentials, a malformed body, an entity that is not parked
            URI release = replica.uri("/v1/replica/parked/" + type + "/release");
            assertThat(post(release, "{\"id\": \"c-1\"}", null).statusCode()).isEqualTo(401);
            HttpResponse<String> malformed = post(release, "{\"id\": 7}", RunningReplica.KEY);
            assertThat(malformed.statusCode()).isEqualTo(400);
            assertThat(malformed.body()).contains("\"field\":\"id\"");
            assertThat(post(release, "{\"id\": \"c-2\"}", RunningReplica.KEY).statusCode()).isEqualTo(404);
            assertThat(post(release, "{\"id\": \"c-2\", \"id\": \"c-1\"}", RunningReplica.KEY).statusCode())
                    .as("a repeated field").isEqualTo(400);

            // When the operator releases it, the newest held state applies
            HttpResponse<String> released = post(release, "{\"id\": \"c-1\"}", RunningReplica.KEY);
            assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
            assertThat(FeedClients.json(released.body()).path("appliedVersion").asLong()).isEqualTo(4);
            assertThat(database.entity(type, "c-1").orElseThrow().version()).isEqualTo(4);
            assertThat(listed(replica, type)).isEmpty();
            publisher.publish(type, "c-1", states.live("c-1", 5, "Ada Byron"));
            await().atMost(WITHIN).until(() -> database.entity(type, "c-1").orElseThrow().version() == 5);
        }
    }

    private static java.util.List<JsonNode> listed(RunningReplica replica, String type) throws Exception {
        java.util.List<JsonNode> parked = new java.util.ArrayList<>();
        FeedClients.json(replica.get("/v1/replica/parked/" + type).body()).path("parked").forEach(parked::add);
        return parked;
    }

    private static HttpResponse<String> post(URI uri, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("X-Api-Key", key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
