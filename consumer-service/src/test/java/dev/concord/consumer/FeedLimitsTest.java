package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.consumer.FeedClients.SseClient;
import dev.concord.consumer.FeedClients.WsClient;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The feed's transports under idle, lazy and malformed clients (real broker, real PostgreSQL): an SSE
 * stream on an idle feed answers at once and sends heartbeats; WebSockets that never subscribe take a
 * stream slot and are closed after the subscribe timeout; malformed subscriptions are refused.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class FeedLimitsTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final int MAX_STREAMS = 2;

    private static TestTypes types;
    private static RunningReplica replica;

    @BeforeAll
    static void startReplica() {
        types = TestTypes.declare(1, "idle");
        replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), PostgresExtension.createDatabase(),
                KafkaTestClients.uniqueId("limits"), types, Map.of("concord.feed.max-streams", MAX_STREAMS,
                        "concord.feed.heartbeat", "1s", "concord.feed.subscribe-timeout", "2s"));
    }

    @AfterAll
    static void stopReplica() {
        if (replica != null) {
            replica.close();
        }
    }

    @AfterEach
    void everyStreamIsGone() {
        await().atMost(WITHIN).until(() -> openStreams() == 0);
    }

    @Test
    void shouldAnswerSseAtOnceAndSendHeartbeatCommentsWhenFeedIsIdle() {
        // Given a type nothing was ever written to
        try (SseClient client = SseClient.connect(replica.uri("/v1/changes/stream?types=" + types.name(0)), Map.of())) {
            // Then the headers come at once, and comments keep the idle stream alive
            await().atMost(Duration.ofSeconds(5)).until(() -> client.status() == 200);
            await().atMost(WITHIN).until(() -> client.comments().stream().filter("heartbeat"::equals).count() >= 2);
            assertThat(client.changes()).isEmpty();
            assertThat(client.ended()).isFalse();
        }
    }

    @Test
    void shouldCountWebSocketsThatNeverSubscribeAndCloseThemAfterSubscribeTimeout() {
        // Given as many sockets as streams are allowed, none of them subscribing
        WsClient first = WsClient.connect(replica.webSocketUri("/v1/changes/ws"));
        WsClient second = WsClient.connect(replica.webSocketUri("/v1/changes/ws"));
        await().atMost(WITHIN).until(() -> openStreams() == MAX_STREAMS);

        // When another one connects, it is turned away: the idle ones hold the slots
        try (WsClient third = WsClient.connect(replica.webSocketUri("/v1/changes/ws"))) {
            await().atMost(WITHIN).until(() -> third.closeCode() == 1013);
        }

        // Then the idle ones are closed after the subscribe timeout, with a reason
        await().atMost(WITHIN).until(() -> first.closeCode() == 1008 && second.closeCode() == 1008);
        assertThat(first.messages()).singleElement().satisfies(m -> {
            assertThat(m.path("type").asText()).isEqualTo("error");
            assertThat(m.path("detail").asText()).contains("no subscribe within 2 s");
        });
        await().atMost(WITHIN).until(() -> openStreams() == 0);
        first.close();
        second.close();
    }

    @Test
    void shouldKeepSubscribedWebSocketOpenPastSubscribeTimeout() {
        try (WsClient client = WsClient.subscribe(replica.webSocketUri("/v1/changes/ws"), List.of(types.name(0)), 0)) {
            await().atMost(WITHIN).until(() -> !client.messages().isEmpty());
            JsonNode subscribed = client.messages().get(0);
            assertThat(subscribed.path("type").asText()).isEqualTo("subscribed");
            assertThat(subscribed.path("store").asText()).matches("[0-9a-f]{16}");

            // Stays open for longer than the subscribe timeout (2 s)
            await().during(Duration.ofSeconds(3)).atMost(WITHIN).until(() -> client.closeCode() == -1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"subscribe\":{\"types\":[{}]}}",
            "{\"subscribe\":{\"types\":[1]}}",
            "{\"subscribe\":{\"types\":[\" \"]}}",
            "{\"subscribe\":{\"types\":\"customer\"}}",
            "{\"subscribe\":{\"after\":-1}}",
            "{\"subscribe\":{\"after\":\"5\"}}",
            "{\"subscribe\":{\"after\":1.5}}",
            "{\"subscribe\":{\"after\":99999999999999999999999}}",
            "{\"subscribe\":{\"typos\":[]}}",
            "{\"subscribe\":{\"store\":7}}",
            "{\"subscribe\":{\"store\":\"not hex\"}}",
            "{\"subscribe\":{}, \"extra\":1}",
            // a repeated field is refused, not read as its last value (here: everything from the beginning)
            "{\"subscribe\":{\"after\":900,\"after\":0}}",
            "{\"subscribe\":{},\"subscribe\":{}}",
            "{\"subscribe\":[]}",
            "{}",
            "[]",
            "null",
            "not json"})
    void shouldRefuseMalformedSubscription(String subscription) {
        try (WsClient client = WsClient.connect(replica.webSocketUri("/v1/changes/ws"))) {
            client.send(subscription);

            await().atMost(WITHIN).until(() -> client.closeCode() == 1008);
            assertThat(client.messages()).singleElement().satisfies(m -> {
                assertThat(m.path("type").asText()).isEqualTo("error");
                assertThat(m.path("detail").asText()).startsWith("'");
            });
        }
    }

    private static long openStreams() {
        return replica.get("/prometheus").body().lines().filter(line -> line.startsWith("concord_feed_streams "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
