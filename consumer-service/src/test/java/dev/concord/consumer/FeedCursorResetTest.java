package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.consumer.FeedClients.Page;
import dev.concord.consumer.FeedClients.SseClient;
import dev.concord.consumer.FeedClients.WsClient;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cursor the replica can no longer serve without a gap gets an explicit reset on every transport,
 * never a silent gap: a cursor of another store, one ahead of this store's feed, and one older than a
 * deletion the store has purged (a Kafka tombstone removed the row). Own replica and store: the purge
 * horizon is the store's.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class FeedCursorResetTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final String OTHER_STORE = "0123456789abcdef";

    private static TestTypes types;
    private static StatePublisher publisher;
    private static RunningReplica replica;
    private static ReplicaDatabase database;

    private static ReplicaUnderTest started;

    @BeforeAll
    static void startReplica() {
        started = ReplicaUnderTest.start(TestTypes.declare(1, "reset"), Map.of());
        types = started.types();
        publisher = started.publisher();
        replica = started.replica();
        database = started.database();
    }

    @AfterAll
    static void stopReplica() throws Exception {
        started.close();
    }

    @Test
    void shouldResetEveryTransportWhenCursorComesFromAnotherStore() {
        String type = types.name(0);
        String store = storeOfThisReplica();
        assertThat(store).isNotEqualTo(OTHER_STORE);

        assertGone(replica.get("/v1/changes?types=" + type + "&after=1&store=" + OTHER_STORE), "not by this replica's store");
        assertThat(replica.get("/v1/changes?types=" + type + "&after=0&store=" + store).statusCode()).isEqualTo(200);

        try (SseClient sse = SseClient.connect(replica.uri("/v1/changes/stream?types=" + type), Map.of("Last-Event-ID", OTHER_STORE + ":1"))) {
            await().atMost(WITHIN).until(sse::ended);
            assertThat(sse.events()).singleElement().satisfies(event -> {
                assertThat(event.name()).isEqualTo("reset");
                assertThat(FeedClients.json(event.data()).path("store").asText()).isEqualTo(store);
            });
        }
        try (WsClient ws = WsClient.connect(replica.webSocketUri("/v1/changes/ws"))) {
            ws.send("{\"subscribe\":{\"types\":[\"" + type + "\"],\"after\":1,\"store\":\"" + OTHER_STORE + "\"}}");
            await().atMost(WITHIN).until(() -> ws.closeCode() == 4001);
            JsonNode last = ws.messages().get(ws.messages().size() - 1);
            assertThat(last.path("type").asText()).isEqualTo("reset");
            assertThat(last.path("reason").asText()).contains(OTHER_STORE);
        }
    }

    @Test
    void shouldResetLongPollWhenCursorIsAheadOfThisStoresFeed() {
        assertGone(replica.get("/v1/changes?types=" + types.name(0) + "&after=1000000000000"), "ahead of this store's change feed");
    }

    @Test
    void shouldResetCursorOlderThanPurgedDeletionButServeNewerCursorAndFreshStart() {
        // Given an entity deleted, and then its row removed by a Kafka tombstone
        String type = types.name(0);
        CustomerStates states = publisher.states(type);
        String id = KafkaTestClients.uniqueId("gone");
        String witness = KafkaTestClients.uniqueId("witness");
        publisher.publish(type, id, states.live(id, 1, "Gone"));
        publisher.publish(type, witness, states.live(witness, 1, "Witness"));
        await().atMost(WITHIN).until(() -> database.entity(type, witness).isPresent());
        long beforeDeletion = database.entity(type, witness).orElseThrow().changeSeq();
        publisher.publish(type, id, states.deleted(id, 2));
        await().atMost(WITHIN).until(() -> database.entity(type, id).map(ReplicaDatabase.Row::deleted).orElse(false));
        long deletion = database.entity(type, id).orElseThrow().changeSeq();

        publisher.publish(type, id, null);
        await().atMost(WITHIN).until(() -> database.entity(type, id).isEmpty());

        // Then a client that had not seen the deletion must resync, on every transport
        assertGone(replica.get("/v1/changes?types=" + type + "&after=" + beforeDeletion), "purged");
        try (SseClient sse = SseClient.connect(replica.uri("/v1/changes/stream?types=" + type + "&after=" + beforeDeletion), Map.of())) {
            await().atMost(WITHIN).until(sse::ended);
            assertThat(sse.events()).extracting(FeedClients.SseClient.Event::name).containsExactly("reset");
        }
        try (WsClient ws = WsClient.subscribe(replica.webSocketUri("/v1/changes/ws"), List.of(type), beforeDeletion)) {
            await().atMost(WITHIN).until(() -> ws.closeCode() == 4001);
        }
        // and one that had, or that starts from nothing, goes on
        HttpResponse<String> sawDeletion = replica.get("/v1/changes?types=" + type + "&after=" + deletion);
        assertThat(sawDeletion.statusCode()).isEqualTo(200);
        Page fresh = Page.of(replica.get("/v1/changes?types=" + type + "&after=0&limit=1000").body());
        assertThat(fresh.changes()).extracting(FeedClients.Change::id).contains(witness).doesNotContain(id);
    }

    private static String storeOfThisReplica() {
        JsonNode listing = FeedClients.json(replica.get("/v1/entities/" + types.name(0)).body());
        String store = listing.path("store").asText();
        assertThat(FeedClients.json(replica.get("/v1/changes?types=" + types.name(0)).body()).path("store").asText()).isEqualTo(store);
        return store;
    }

    private static void assertGone(HttpResponse<String> response, String reason) {
        assertThat(response.statusCode()).isEqualTo(410);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = FeedClients.json(response.body());
        assertThat(problem.path("type").asText()).endsWith("/cursor-gone");
        assertThat(problem.path("detail").asText()).contains(reason).contains("Resync");
        assertThat(problem.path("errors").get(0).path("field").asText()).isEqualTo("after");
    }
}
