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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An operator verifies a replica against the state topic and repairs it in place: rows deleted, made stale, changed
 * or added behind the replica's back are found exactly, and a repair restores exactly those — through the change
 * feed, never moving a row backwards. Real broker, real PostgreSQL, the whole service.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReplicaVerifyRepairTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldFindExactlyTheCorruptedRowsAndRepairExactlyThose() throws Exception {
        try (ReplicaUnderTest started = ReplicaUnderTest.start(TestTypes.declare(3, "verify"), Map.of())) {
            String type = started.types().name(0);
            StatePublisher publisher = started.publisher();
            CustomerStates states = publisher.states(type);
            // Given a replica that applied customers, one of them three times and one deleted
            for (int i = 1; i <= 6; i++) {
                publisher.publish(type, "c-" + i, states.live("c-" + i, 1, "Customer " + i));
            }
            publisher.publish(type, "c-2", states.live("c-2", 2, "Customer 2 again"));
            publisher.publish(type, "c-2", states.live("c-2", 3, "Customer 2 at last"));
            publisher.publish(type, "gone", states.live("gone", 1, "Soon gone"));
            publisher.publish(type, "gone", states.deleted("gone", 2));
            ReplicaDatabase database = started.database();
            await().atMost(WITHIN).until(() -> database.entity(type, "c-2").map(row -> row.version() == 3).orElse(false)
                    && database.entity(type, "gone").map(ReplicaDatabase.Row::deleted).orElse(false) && database.count(type) == 7);
            assertThat(post(started, "/v1/replica/verify/" + type).path("differencesFound").asLong()).isZero();
            Map<String, ReplicaDatabase.Row> before = database.rows(type);

            // When rows are damaged behind the replica's back
            sql(database, "DELETE FROM entity WHERE entity_id = 'c-1'",
                    "UPDATE entity SET version = 2, data = jsonb_set(data, '{name}', '\"Customer 2 again\"') WHERE entity_id = 'c-2'",
                    "UPDATE entity SET data = jsonb_set(data, '{name}', '\"Mallory\"') WHERE entity_id = 'c-3'",
                    "UPDATE entity SET deleted = false, data = (SELECT data FROM entity WHERE entity_id = 'c-6') WHERE entity_id = 'gone'",
                    "UPDATE entity SET version = 99 WHERE entity_id = 'c-5'",
                    "INSERT INTO entity (entity_type, entity_id, version, clock_physical, clock_logical, writer, deleted, data, updated_at, applied_at)"
                            + " SELECT entity_type, 'x-9', 1, clock_physical, clock_logical, writer, false, data, updated_at, now()"
                            + " FROM entity WHERE entity_id = 'c-4'");

            // Then verification names exactly those, each with what is wrong
            JsonNode verified = post(started, "/v1/replica/verify/" + type);
            assertThat(verified.path("replicaCaughtUp").asBoolean()).isTrue();
            assertThat(kinds(verified)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "c-1", "MISSING", "c-2", "STALE", "c-3", "CHANGED", "gone", "CHANGED", "c-5", "AHEAD", "x-9", "EXTRA"));
            assertThat(verified.path("differingKeyRanges").size()).isBetween(1, 6);
            assertThat(started.replica().get("/prometheus").body().lines()
                    .filter(line -> line.startsWith("concord_replica_verify_differences{") && line.contains("type=\"" + type + "\""))
                    .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))).containsExactly(6.0);

            // And a repair restores exactly those, through the change feed, leaving what is ahead of the topic alone
            JsonNode repaired = post(started, "/v1/replica/repair/" + type);
            assertThat(repaired.path("repaired").asInt()).isEqualTo(5);
            Map<String, ReplicaDatabase.Row> after = database.rows(type);
            for (String id : new String[] {"c-1", "c-2", "c-3", "gone"}) {
                assertThat(after.get(id).version()).as(id).isEqualTo(before.get(id).version());
                assertThat(after.get(id).deleted()).as(id).isEqualTo(before.get(id).deleted());
                assertThat(after.get(id).changeSeq()).as(id + " is in the feed again").isGreaterThan(before.get(id).changeSeq());
                assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(String.valueOf(after.get(id).dataJson())))
                        .as(id).isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper().readTree(String.valueOf(before.get(id).dataJson())));
            }
            assertThat(after).doesNotContainKey("x-9");
            assertThat(after.get("c-5").version()).isEqualTo(99);
            assertThat(after.get("c-4")).isEqualTo(before.get("c-4"));
            assertThat(after.get("c-6")).isEqualTo(before.get("c-6"));
            assertThat(kinds(post(started, "/v1/replica/verify/" + type))).containsExactlyEntriesOf(Map.of("c-5", "AHEAD"));
        }
    }

    @Test
    void shouldRepairEveryOtherEntityWhenTheStoreRefusesOnesAuthoritativeState() throws Exception {
        try (ReplicaUnderTest started = ReplicaUnderTest.start(TestTypes.declare(1, "repairrefused"), Map.of())) {
            String type = started.types().name(0);
            StatePublisher publisher = started.publisher();
            CustomerStates states = publisher.states(type);
            // Given an entity whose state PostgreSQL refuses (U+0000 in jsonb: dead-lettered, so missing here), and a row
            // deleted behind the replica's back
            publisher.publish(type, "bad", states.live("bad", 1, "Ada\u0000Lovelace"));
            publisher.publish(type, "c-1", states.live("c-1", 1, "Grace"));
            ReplicaDatabase database = started.database();
            await().atMost(WITHIN).until(() -> database.entity(type, "c-1").isPresent());
            sql(database, "DELETE FROM entity WHERE entity_id = 'c-1'");

            // When the operator repairs
            JsonNode repaired = post(started, "/v1/replica/repair/" + type);

            // Then the other entity is repaired, and the refused one is named with the store's reason, not a 500
            assertThat(repaired.path("repaired").asInt()).isEqualTo(1);
            assertThat(database.entity(type, "c-1")).isPresent();
            assertThat(repaired.path("notRepaired")).singleElement().satisfies(refused -> {
                assertThat(refused.path("id").asText()).isEqualTo("bad");
                assertThat(refused.path("authoritativeVersion").asLong()).isEqualTo(1);
                assertThat(refused.path("reason").asText()).contains("22P05");
            });
        }
    }

    @Test
    void shouldAnswerOnlyOperatorsWithTheTypesAdminGrant() throws Exception {
        String reader = "verify-reader-key";
        try (ReplicaUnderTest started = ReplicaUnderTest.start(TestTypes.declare(1, "verifydoor"), Map.of("concord.security.api-keys",
                "[{\"client\":\"reader\",\"sha256\":\"" + dev.concord.security.ApiKeys.sha256Hex(reader) + "\",\"grants\":[\"*:read\"]},"
                        + "{\"client\":\"admin\",\"sha256\":\"" + dev.concord.security.ApiKeys.sha256Hex(RunningReplica.KEY)
                        + "\",\"grants\":[\"*:admin\"]}]"))) {
            String type = started.types().name(0);
            assertThat(send(started, "/v1/replica/repair/" + type, null).statusCode()).isEqualTo(401);
            assertThat(send(started, "/v1/replica/repair/" + type, reader).statusCode()).isEqualTo(403);
            HttpResponse<String> unknown = send(started, "/v1/replica/verify/no-such-type", RunningReplica.KEY);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        }
    }

    private static Map<String, String> kinds(JsonNode report) {
        Map<String, String> kinds = new HashMap<>();
        report.path("differences").forEach(difference -> kinds.put(difference.path("id").asText(), difference.path("kind").asText()));
        assertThat(report.path("differencesFound").asLong()).isEqualTo(kinds.size());
        return kinds;
    }

    private static JsonNode post(ReplicaUnderTest started, String path) throws Exception {
        HttpResponse<String> response = send(started, path, RunningReplica.KEY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return FeedClients.json(response.body());
    }

    private static HttpResponse<String> send(ReplicaUnderTest started, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(started.replica().uri(path)).POST(HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            request.header(RunningReplica.KEY_HEADER, key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void sql(ReplicaDatabase database, String... statements) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl()); Statement sql = connection.createStatement()) {
            for (String statement : statements) {
                sql.execute(statement);
            }
        }
    }
}
