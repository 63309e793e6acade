package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.consumer.FeedClients.Change;
import dev.concord.consumer.FeedClients.Page;
import dev.concord.consumer.FeedClients.SseClient;
import dev.concord.consumer.FeedClients.WsClient;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The change feed of a running replica (real broker, real PostgreSQL): long poll, SSE and WebSocket
 * clients that drop their connection and resume from their cursor get every change exactly once, in
 * seq order; plus keyset listing and the feed's answers to bad requests. One replica for the class;
 * each test has its own entity type, so the {@code types} filter keeps the tests apart.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ChangeFeedTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ReplicaUnderTest started;
    private static TestTypes types;
    private static StatePublisher publisher;
    private static RunningReplica replica;
    private static ReplicaDatabase database;

    @BeforeAll
    static void startReplica() {
        // Small limits, so that a client that stops reading is found out quickly.
        started = ReplicaUnderTest.start(TestTypes.declare(3, "polled", "streamed", "socket", "listed", "waited", "slow"),
                Map.of("concord.feed.client-queue", 20, "concord.feed.stall-timeout", "2s"));
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
    void shouldGiveLongPollingClientEveryChangeOnceInOrderAcrossResumes() {
        String type = types.name(0);
        List<String> expected = new ArrayList<>(publishFirstRound(type));
        List<Change> received = new ArrayList<>();

        long cursor = pollUntil(type, 0, received, expected.size());
        expected.addAll(publishSecondRound(type, received.subList(0, 7)));
        pollUntil(type, cursor, received, expected.size());

        assertEveryChangeOnceInOrder(type, received, expected);
        List<JsonNode> deleted = new ArrayList<>();
        FeedClients.json(replica.get("/v1/changes?types=" + type + "&limit=1000").body()).path("changes")
                .forEach(change -> {
                    if (change.path("deleted").asBoolean()) {
                        deleted.add(change);
                    }
                });
        assertThat(deleted).singleElement().satisfies(change -> {
            assertThat(change.has("data")).as("data is present").isTrue();
            assertThat(change.path("data").isNull()).isTrue();
        });
    }

    @Test
    void shouldAnswerWaitingLongPollWhenChangeCommitsAndEmptyWithSameCursorWhenTimeIsUp() throws Exception {
        String type = types.name(4);
        String id = KafkaTestClients.uniqueId("waited");
        publisher.publish(type, id, publisher.states(type).live(id, 1, "First"));
        Page first = awaitPage(type, 0, 1);

        CompletableFuture<HttpResponse<String>> waiting = HTTP.sendAsync(HttpRequest.newBuilder(
                replica.uri("/v1/changes?types=" + type + "&after=" + first.next() + "&wait=30")).header(RunningReplica.KEY_HEADER, RunningReplica.KEY).build(), HttpResponse.BodyHandlers.ofString());
        publisher.publish(type, id, publisher.states(type).live(id, 2, "Second"));

        Page woken = Page.of(waiting.get(45, TimeUnit.SECONDS).body());
        assertThat(woken.changes()).extracting(Change::idAndVersion).containsExactly(id + "@2");
        assertThat(woken.next()).isEqualTo(woken.changes().get(0).seq());

        Page timedOut = Page.of(replica.get("/v1/changes?types=" + type + "&after=" + woken.next() + "&wait=1").body());
        assertThat(timedOut.changes()).isEmpty();
        assertThat(timedOut.next()).isEqualTo(woken.next());
    }

    @Test
    void shouldResumeSseClientFromLastEventIdWithoutGapOrDuplicate() {
        String type = types.name(1);
        List<String> expected = new ArrayList<>(publishFirstRound(type));
        List<Change> received = new ArrayList<>();

        SseClient first = SseClient.connect(replica.uri("/v1/changes/stream?types=" + type), Map.of(), 7);
        await().atMost(WITHIN).until(() -> first.changes().size() >= 7);
        first.close(); // mid-stream: the server has sent more than the client read
        received.addAll(first.changes());
        assertThat(first.events()).allSatisfy(event -> {
            assertThat(event.name()).isEqualTo("change");
            assertThat(event.id()).endsWith(":" + FeedClients.json(event.data()).path("seq").asText()); // <store>:<seq>
        });

        expected.addAll(publishSecondRound(type, received));
        String lastEventId = first.events().get(first.events().size() - 1).id(); // <store>:<seq>, as EventSource sends it
        try (SseClient resumed = SseClient.connect(replica.uri("/v1/changes/stream?types=" + type),
                Map.of("Last-Event-ID", lastEventId))) {
            await().atMost(WITHIN).until(() -> received.size() + resumed.changes().size() >= expected.size());
            received.addAll(resumed.changes());
        }

        assertEveryChangeOnceInOrder(type, received, expected);
    }

    @Test
    void shouldResumeWebSocketClientFromItsCursorWithoutGapOrDuplicate() {
        String type = types.name(2);
        List<String> expected = new ArrayList<>(publishFirstRound(type));
        List<Change> received = new ArrayList<>();

        WsClient first = WsClient.subscribe(replica.webSocketUri("/v1/changes/ws"), List.of(type), 0, 7);
        await().atMost(WITHIN).until(() -> first.changes().size() >= 7);
        first.close(); // mid-stream: the server has sent more than the client read
        received.addAll(first.changes());
        assertThat(first.messages().get(0).path("type").asText()).isEqualTo("subscribed");

        expected.addAll(publishSecondRound(type, received));
        long cursor = received.get(received.size() - 1).seq();
        try (WsClient resumed = WsClient.subscribe(replica.webSocketUri("/v1/changes/ws"), List.of(type), cursor)) {
            await().atMost(WITHIN).until(() -> received.size() + resumed.changes().size() >= expected.size());
            received.addAll(resumed.changes());
        }

        assertEveryChangeOnceInOrder(type, received, expected);
    }

    @Test
    void shouldTellClientThatStopsReadingToResyncAndLoseNothingWhenItResumesFromItsCursor() {
        String type = types.name(5);
        CustomerStates states = publisher.states(type);
        // ~2 KB per change: a few thousand fill the connection's buffers, and then the server's writes stall.
        java.nio.ByteBuffer payload = states.payload("Slow " + "x".repeat(2000));
        List<String> expected = new ArrayList<>();
        WsClient stalled = WsClient.subscribe(replica.webSocketUri("/v1/changes/ws"), List.of(type), 0, 1);
        for (int i = 0; i < 8000; i++) {
            String id = String.format("slow-%05d", i);
            publisher.send(type, id, states.live(id, 1, payload));
            expected.add(id + "@1");
        }
        publisher.flush();

        await().atMost(WITHIN).until(() -> resyncs() >= 1);
        stalled.readOn();
        await().atMost(WITHIN).until(() -> stalled.closeCode() != -1);
        List<Change> received = new ArrayList<>(stalled.changes());
        JsonNode resync = stalled.messages().get(stalled.messages().size() - 1);
        assertThat(resync.path("type").asText()).isEqualTo("resync");
        assertThat(stalled.closeCode()).isEqualTo(4000);
        assertThat(received.size()).as("the server stopped long before the end").isLessThan(expected.size());

        // The client resumes after the last change it processed (never before the resync's cursor).
        long cursor = Math.max(resync.path("after").asLong(), received.get(received.size() - 1).seq());
        try (WsClient resumed = WsClient.subscribe(replica.webSocketUri("/v1/changes/ws"), List.of(type), cursor)) {
            await().atMost(WITHIN).until(() -> received.size() + resumed.changes().size() >= expected.size());
            received.addAll(resumed.changes());
        }
        assertThat(received).extracting(Change::idAndVersion).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(received).extracting(Change::seq).isSorted().doesNotHaveDuplicates();
    }

    private static double resyncs() {
        return replica.get("/prometheus").body().lines().filter(line -> line.startsWith("concord_feed_resyncs_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void shouldPageEntitiesOfTypeInIdOrderWithNextCursorLeavingDeletedOut() {
        String type = types.name(3);
        for (int i = 0; i < 25; i++) {
            String id = String.format("item-%02d", i);
            publisher.send(type, id, publisher.states(type).live(id, 1, "Item " + i));
        }
        publisher.send(type, "item-07", publisher.states(type).deleted("item-07", 2));
        publisher.flush();
        await().atMost(WITHIN).until(() -> database.entity(type, "item-07").map(ReplicaDatabase.Row::deleted).orElse(false)
                && database.entity(type, "item-24").isPresent());

        List<String> ids = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode page = FeedClients.json(replica.get("/v1/entities/" + type + "?limit=10" + (after == null ? "" : "&after=" + after)).body());
            page.path("entities").forEach(entity -> ids.add(entity.path("id").asText()));
            assertThat(page.path("changeSeq").asLong()).isPositive();
            assertThat(page.has("next")).as("next is always present").isTrue();
            after = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
            assertThat(pages).as("pages").isLessThanOrEqualTo(3);
        } while (after != null);

        assertThat(pages).isEqualTo(3);
        assertThat(ids).hasSize(24).doesNotContain("item-07").isSorted();
        JsonNode withDeleted = FeedClients.json(replica.get("/v1/entities/" + type + "?limit=1000&deleted=true").body());
        assertThat(withDeleted.path("entities")).hasSize(25);
        assertThat(withDeleted.path("next").isNull()).isTrue();
    }

    @Test
    void shouldRefuseUnknownTypeAndNegativeCursorWithProblems() {
        HttpResponse<String> unknown = replica.get("/v1/changes?types=unicorn");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(FeedClients.json(unknown.body()).path("type").asText()).endsWith("/unknown-entity-type");

        HttpResponse<String> negative = replica.get("/v1/changes?after=-1");
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(FeedClients.json(negative.body()).path("errors").get(0).path("field").asText()).isEqualTo("after");

        try (WsClient refused = WsClient.subscribe(replica.webSocketUri("/v1/changes/ws"), List.of("unicorn"), 0)) {
            await().atMost(WITHIN).until(() -> refused.closeCode() == 1008);
            assertThat(refused.messages()).singleElement().satisfies(m -> assertThat(m.path("type").asText()).isEqualTo("error"));
        }
    }

    /** 20 new entities at version 1. */
    private static List<String> publishFirstRound(String type) {
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = type + "-" + String.format("%02d", i);
            publisher.send(type, id, publisher.states(type).live(id, 1, "Entity " + i));
            published.add(id + "@1");
        }
        publisher.flush();
        return published;
    }

    /**
     * Version 2 of some entities the client has seen, a deletion of another, and 20 new entities. Only
     * entities the client has seen are changed again: one it has not read yet would reach it at its
     * latest version only (the feed carries each entity's current state once per change after the
     * client's cursor, as a compacted topic does).
     */
    private static List<String> publishSecondRound(String type, List<Change> seen) {
        List<String> published = new ArrayList<>();
        List<String> seenIds = seen.stream().map(Change::id).toList();
        for (String id : seenIds.subList(0, seenIds.size() - 1)) {
            publisher.send(type, id, publisher.states(type).live(id, 2, id + " v2", "support"));
            published.add(id + "@2");
        }
        String deleted = seenIds.get(seenIds.size() - 1);
        publisher.send(type, deleted, publisher.states(type).deleted(deleted, 2));
        published.add(deleted + "@2");
        for (int i = 20; i < 40; i++) {
            String id = type + "-" + String.format("%02d", i);
            publisher.send(type, id, publisher.states(type).live(id, 1, "Entity " + i));
            published.add(id + "@1");
        }
        publisher.flush();
        return published;
    }

    /** Long-polls in small pages from {@code cursor} until {@code received} holds {@code total} changes. */
    private static long pollUntil(String type, long cursor, List<Change> received, int total) {
        long next = cursor;
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (received.size() < total) {
            assertThat(System.nanoTime()).as("long poll received %s of %s changes in time", received.size(), total).isLessThan(deadline);
            Page page = Page.of(replica.get("/v1/changes?types=" + type + "&after=" + next + "&limit=7&wait=10").body());
            received.addAll(page.changes());
            next = page.next();
        }
        return next;
    }

    private static Page awaitPage(String type, long after, int atLeast) {
        return await().atMost(WITHIN).until(() -> Page.of(replica.get("/v1/changes?types=" + type + "&after=" + after).body()),
                page -> page.changes().size() >= atLeast);
    }

    private static void assertEveryChangeOnceInOrder(String type, List<Change> received, List<String> expected) {
        assertThat(received).extracting(Change::type).containsOnly(type);
        assertThat(received).extracting(Change::idAndVersion).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        List<Long> seqs = received.stream().map(Change::seq).toList();
        assertThat(seqs).isSorted().doesNotHaveDuplicates();
        Map<String, Long> lastVersion = new HashMap<>();
        received.forEach(change -> lastVersion.put(change.id(), change.version()));
        Set<String> checked = new HashSet<>();
        lastVersion.forEach((id, version) -> {
            assertThat(database.entity(type, id)).hasValueSatisfying(row -> assertThat(row.version()).isEqualTo(version));
            checked.add(id);
        });
        assertThat(checked).hasSize(40);
    }
}
