package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every read endpoint (entity, listing, long poll, SSE, the dead-letter listing) answers hostile input with
 * a 4xx {@code application/problem+json} naming what was wrong: never a 500, a 503, a hang or Micronaut's
 * own error JSON. Also: JSON answers keep empty arrays.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReadEndpointsHostileInputTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final String TYPE = "{type}";

    private static TestTypes types;
    private static RunningReplica replica;

    @BeforeAll
    static void startReplica() {
        types = TestTypes.declare(1, "hostile");
        replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), PostgresExtension.createDatabase(),
                KafkaTestClients.uniqueId("hostile"), types, Map.of());
    }

    @AfterAll
    static void stopReplica() {
        if (replica != null) {
            replica.close();
        }
    }

    /** method, path (with {type}), extra header or null, expected status, field the problem must name (or null). */
    static Stream<Arguments> hostileRequests() {
        String longId = "x".repeat(300);
        return Stream.of(
                // GET one entity: the id follows EntityIdGrammar
                Arguments.of("GET", "/v1/entities/" + TYPE + "/a%00b", null, 400, "id"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "/a%0D%0Aforged", null, 400, "id"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "/%E2%80%AEevil", null, 400, "id"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "/%C3%28", null, 400, "id"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "/%EF%BF%BD", null, 400, "id"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "/%20%20", null, 400, "id"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "/" + longId, null, 400, "id"),
                Arguments.of("GET", "/v1/entities/un%00known/42", null, 404, "type"),
                // listing: the keyset cursor is an id; numbers and booleans convert or are refused
                Arguments.of("GET", "/v1/entities/" + TYPE + "?after=a%00b", null, 400, "after"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "?after=%0A", null, 400, "after"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "?limit=abc", null, 400, "limit"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "?limit=%00", null, 400, "limit"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "?limit=0", null, 400, "limit"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "?limit=99999999999", null, 400, "limit"),
                Arguments.of("GET", "/v1/entities/" + TYPE + "?deleted=maybe", null, 400, "deleted"),
                // long poll
                Arguments.of("GET", "/v1/changes?after=%00", null, 400, "after"),
                Arguments.of("GET", "/v1/changes?after=abc", null, 400, "after"),
                Arguments.of("GET", "/v1/changes?after=-1", null, 400, "after"),
                Arguments.of("GET", "/v1/changes?after=1e3", null, 400, "after"),
                Arguments.of("GET", "/v1/changes?limit=x", null, 400, "limit"),
                Arguments.of("GET", "/v1/changes?wait=soon", null, 400, "wait"),
                Arguments.of("GET", "/v1/changes?store=%00", null, 400, "store"),
                Arguments.of("GET", "/v1/changes?types=%00", null, 404, "type"),
                // SSE
                Arguments.of("GET", "/v1/changes/stream?after=abc", "text/event-stream", 400, "after"),
                Arguments.of("GET", "/v1/changes/stream?after=-5", "text/event-stream", 400, "after"),
                Arguments.of("GET", "/v1/changes/stream?store=ZZ%0A", "text/event-stream", 400, "store"),
                Arguments.of("GET", "/v1/changes/stream?types=nope", "text/event-stream", 404, "type"),
                // the dead-letter listing
                Arguments.of("GET", "/v1/replica/dead-letters?after=abc", null, 400, "after"),
                Arguments.of("GET", "/v1/replica/dead-letters?limit=-1", null, 400, "limit"),
                // Micronaut's own errors
                Arguments.of("GET", "/v1/no-such-thing", null, 404, null),
                Arguments.of("POST", "/v1/entities/" + TYPE + "/42", null, 405, null),
                Arguments.of("DELETE", "/v1/changes", null, 405, null));
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("hostileRequests")
    void shouldAnswerHostileReadWithProblemJson(String method, String path, String accept, int status, String field) throws Exception {
        HttpResponse<String> response = send(method, path.replace(TYPE, types.name(0)), accept);

        assertThat(response.statusCode()).as("status of %s", path).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).as("content type of %s", path)
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = FeedClients.json(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("type").asText()).startsWith("https://concord.dev/problems/");
        if (field != null) {
            assertThat(problem.path("errors")).as("errors of %s: %s", path, response.body())
                    .anySatisfy(error -> assertThat(error.path("field").asText()).isEqualTo(field));
        }
    }

    @Test
    void shouldWriteEmptyArraysForTypeWithoutEntitiesAndFeedWithoutChanges() {
        JsonNode listing = FeedClients.json(replica.get("/v1/entities/" + types.name(0)).body());
        assertThat(listing.has("entities")).isTrue();
        assertThat(listing.path("entities").isArray()).isTrue();
        assertThat(listing.path("entities")).isEmpty();

        JsonNode page = FeedClients.json(replica.get("/v1/changes?types=" + types.name(0)).body());
        assertThat(page.path("changes").isArray()).isTrue();

        JsonNode deadLetters = FeedClients.json(replica.get("/v1/replica/dead-letters").body());
        assertThat(deadLetters.path("deadLetters").isArray()).isTrue();
    }

    private static HttpResponse<String> send(String method, String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(replica.url() + path)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody()).header(RunningReplica.KEY_HEADER, RunningReplica.KEY);
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
