package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.security.ApiKeys;
import dev.concord.testsupport.ForgedTokens;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every read door of a running replica needs credentials and the type's read grant: entity reads,
 * listings, long poll, SSE and the WebSocket handshake refuse anonymous callers (401 problem) and other
 * types' readers (403 problem); browsers stream with a one-minute ticket; a WebSocket from a foreign
 * Origin is refused; health shows details only to authenticated callers.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReadSecurityTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ORDER_READER = "order-reader-" + java.util.UUID.randomUUID();

    private static TestTypes types;
    private static RunningReplica replica;
    private static StatePublisher publisher;

    @BeforeAll
    static void startReplica() {
        types = TestTypes.declare(1, "guarded");
        publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types);
        String keys = "[{\"client\":\"test-reader\",\"sha256\":\"" + ApiKeys.sha256Hex(RunningReplica.KEY) + "\",\"grants\":[\"*:read\"]},"
                + "{\"client\":\"order-reader\",\"sha256\":\"" + ApiKeys.sha256Hex(ORDER_READER) + "\",\"grants\":[\"order:read\"]}]";
        replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), PostgresExtension.createDatabase(),
                KafkaTestClients.uniqueId("guarded"), types, Map.of("concord.security.api-keys", keys));
    }

    @AfterAll
    static void stop() throws Exception {
        if (replica != null) {
            replica.close();
        }
        publisher.close();
    }

    private static List<String> readPaths() {
        String type = types.name(0);
        return List.of("/v1/entities/" + type + "/c-1", "/v1/entities/" + type, "/v1/changes?types=" + type,
                "/v1/changes", "/v1/changes/stream?types=" + type);
    }

    @Test
    void shouldRefuseAnonymousCallersOnEveryReadDoor() {
        for (String path : readPaths()) {
            HttpResponse<String> response = send(path, Map.of());
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertProblem(response, path);
        }
        assertThat(handshake(Map.of())).isEqualTo(401);
    }

    @Test
    void shouldRefuseReadersOfOtherTypes() {
        for (String path : readPaths()) {
            HttpResponse<String> response = send(path, Map.of(RunningReplica.KEY_HEADER, ORDER_READER));
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertProblem(response, path);
        }
    }

    @Test
    void shouldShowTheReplicasDeadLettersOnlyToAdministratorsOfEveryType() {
        // The listing holds raw records of every type, some undecodable: *:admin, not a reader's grant.
        assertThat(send("/v1/replica/dead-letters", Map.of()).statusCode()).isEqualTo(401);
        HttpResponse<String> reader = send("/v1/replica/dead-letters", Map.of(RunningReplica.KEY_HEADER, RunningReplica.KEY));
        assertThat(reader.statusCode()).isEqualTo(403);
        assertThat(reader.body()).contains("*:admin");
    }

    @Test
    void shouldRefuseForgedAndUnsignedTokens() {
        String unsigned = ForgedTokens.unsigned("mallory", "*:*");
        for (String path : readPaths()) {
            assertThat(send(path, Map.of("Authorization", "Bearer " + unsigned)).statusCode()).as(path).isEqualTo(401);
        }
        assertThat(handshake(Map.of("Authorization", "Bearer " + unsigned))).isEqualTo(401);
    }

    @Test
    void shouldLetABrowserStreamWithATicketButNotFromAForeignOrigin() throws Exception {
        HttpResponse<String> issued = HTTP.send(HttpRequest.newBuilder(replica.uri("/v1/stream-tickets"))
                .header(RunningReplica.KEY_HEADER, RunningReplica.KEY).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(issued.statusCode()).isEqualTo(201);
        String ticket = FeedClients.json(issued.body()).path("ticket").asText();

        assertThat(send("/v1/changes?types=" + types.name(0) + "&ticket=" + ticket, Map.of()).statusCode()).isEqualTo(200);
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(replica.webSocketUri("/v1/changes/ws?ticket=" + ticket),
                new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS);
        socket.abort();
        String host = replica.uri("/").getAuthority();
        assertThat(handshake(Map.of(RunningReplica.KEY_HEADER, RunningReplica.KEY, "Origin", "https://evil.example"))).isEqualTo(403);
        WebSocket sameOrigin = HTTP.newWebSocketBuilder().header(RunningReplica.KEY_HEADER, RunningReplica.KEY)
                .header("Origin", "http://" + host)
                .buildAsync(replica.webSocketUri("/v1/changes/ws"), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS);
        sameOrigin.abort();
    }

    @Test
    void shouldKeepProbesAnonymousAndHealthDetailsForAuthenticatedCallers() {
        HttpResponse<String> anonymous = send("/health", Map.of());
        assertThat(anonymous.body()).doesNotContain("jdbc");
        assertThat(send("/health/liveness", Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("/health", Map.of(RunningReplica.KEY_HEADER, RunningReplica.KEY)).body()).contains("details");
        assertThat(send("/prometheus", Map.of()).statusCode()).isEqualTo(401);
        assertThat(send("/live/index.html", Map.of()).statusCode()).isEqualTo(200);
    }

    private static void assertProblem(HttpResponse<String> response, String path) {
        assertThat(response.headers().firstValue("Content-Type")).as(path)
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode problem = FeedClients.json(response.body());
        assertThat(problem.path("status").asInt()).as(path).isEqualTo(response.statusCode());
    }

    @Test
    void shouldNotTellAReaderOfOtherTypesWhichTypesExist() {
        Map<String, String> orderReader = Map.of("X-Api-Key", ORDER_READER);
        for (String path : List.of("/v1/entities/no-such-type/c-1", "/v1/entities/no-such-type", "/v1/changes?types=no-such-type",
                "/v1/changes/stream?types=no-such-type")) {
            HttpResponse<String> refused = send(path, orderReader);
            assertThat(refused.statusCode()).as(path).isEqualTo(403);
            assertThat(refused.body()).as(path).doesNotContain(types.name(0));
        }
        // A reader of every type learns which exist
        HttpResponse<String> unknown = send("/v1/entities/no-such-type", Map.of("X-Api-Key", RunningReplica.KEY));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains(types.name(0));
    }

    @Test
    void shouldOpenNoManagementEndpointButHealthAndMetrics() {
        // Micronaut turns beans, routes, threaddump, info and refresh on unless told otherwise; none is a door of
        // Concord's, and a reader's key (or a metrics scraper's) must not read thread stacks or refresh the service.
        Map<String, String> reader = Map.of("X-Api-Key", RunningReplica.KEY);
        for (String path : List.of("/threaddump", "/beans", "/routes", "/info", "/env", "/loggers", "/caches", "/refresh")) {
            assertThat(send(path, reader).statusCode()).as("GET " + path).isEqualTo(404);
        }
        HttpRequest refresh = HttpRequest.newBuilder(replica.uri("/refresh")).header("X-Api-Key", RunningReplica.KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"force\":true}")).build();
        try {
            assertThat(HTTP.send(refresh, HttpResponse.BodyHandlers.ofString()).statusCode()).as("POST /refresh").isEqualTo(404);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(send("/prometheus", reader).statusCode()).isEqualTo(200);
        // Health stays served (200 UP, or 503 while the replica catches up at start)
        assertThat(send("/health", Map.of()).statusCode()).isIn(200, 503);
    }

    private static HttpResponse<String> send(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(replica.uri(path)).timeout(Duration.ofSeconds(30)).GET();
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The WebSocket handshake's HTTP status (101 when it opened). */
    private static int handshake(Map<String, String> headers) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        headers.forEach(builder::header);
        try {
            builder.buildAsync(replica.webSocketUri("/v1/changes/ws"), new WebSocket.Listener() { }).join().abort();
            return 101;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
    }
}
