package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.ConflictRecord;
import dev.concord.contract.avro.ConflictScope;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.avro.HybridClock;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.avro.WriteRef;
import dev.concord.contract.outcomes.ConsistencyToken;
import dev.concord.contract.outcomes.DecisionHeaders;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Read your writes at the replica (docs/consistency.md), on a real broker and PostgreSQL, with this test writing what
 * sync-processor writes (docs/contract.md): a read carrying a token is answered only once the store reflects the
 * token's writes, whatever became of them, and refused with 503 when it cannot be within the bound.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReadYourWritesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConcordContract contract;
    private static CustomerStates states;
    private static KafkaProducer<String, byte[]> producer;
    private static RunningReplica replica;

    @BeforeAll
    static void start() {
        contract = ConcordContract.connect(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()),
                EntityTypes.load(EntityTypes.DEFAULT_DECLARATION)).registerWriterSchemas();
        states = new CustomerStates(contract);
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
        replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), PostgresExtension.createDatabase(),
                KafkaTestClients.uniqueId("ryw"));
    }

    @AfterAll
    static void stop() throws Exception {
        replica.close();
        producer.close();
        contract.close();
    }

    @Test
    void shouldAnswerAReadWithAnUndecidedWriteOnlyOnceTheReplicaHoldsItsDecision() throws Exception {
        String id = KafkaTestClients.uniqueId("c");
        String eventId = UUID.randomUUID().toString();
        publishState(states.live(id, 1, "Ada"), null);
        String token = ConsistencyToken.of(List.of(ConsistencyToken.Write.undecided("customer", id, eventId))).text();

        CompletableFuture<HttpResponse<String>> read = CompletableFuture.supplyAsync(() -> get("/v1/entities/customer/" + id, token));
        publishState(states.live(id, 2, "Ada Lovelace"), eventId);

        HttpResponse<String> answer = read.get();
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("data").path("name").asText()).isEqualTo("Ada Lovelace");
    }

    @Test
    void shouldWaitForTheWinnersVersionWhenTheWriteLost() throws Exception {
        String id = KafkaTestClients.uniqueId("c");
        String eventId = UUID.randomUUID().toString();
        String token = ConsistencyToken.of(List.of(ConsistencyToken.Write.undecided("customer", id, eventId))).text();
        // The write lost to a newer one: its outcome names version 2, which holds the winner.
        publishConflict(id, eventId, 2);

        CompletableFuture<HttpResponse<String>> read = CompletableFuture.supplyAsync(() -> get("/v1/entities/customer/" + id, token));
        publishState(states.live(id, 1, "Old"), null);
        publishState(states.live(id, 2, "Winner"), null);

        HttpResponse<String> answer = read.get();
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("version").asLong()).isEqualTo(2);
    }

    @Test
    void shouldAnswerTheListAndTheFeedAfterASessionOfWritesIsReflected() throws Exception {
        String a = KafkaTestClients.uniqueId("c");
        String b = KafkaTestClients.uniqueId("c");
        String session = ConsistencyToken.of(List.of(ConsistencyToken.Write.decided("customer", a, 1))).text() + ","
                + ConsistencyToken.of(List.of(ConsistencyToken.Write.decided("customer", b, 1),
                ConsistencyToken.Write.decided("order", "elsewhere", 9))).text();
        // The feed's head as a listing gives it: follow the feed after it.
        JsonNode listing = JSON.readTree(replica.get("/v1/entities/customer?limit=1").body());
        String cursor = "after=" + listing.path("changeSeq").asLong() + "&store=" + listing.path("store").asText();

        CompletableFuture<HttpResponse<String>> feed = CompletableFuture.supplyAsync(() ->
                get("/v1/changes?types=customer&limit=1000&" + cursor, session));
        publishState(states.live(a, 1, "A"), null);
        publishState(states.live(b, 1, "B"), null);

        HttpResponse<String> page = feed.get();
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(JSON.readTree(page.body()).path("changes").findValuesAsText("id")).contains(a, b);
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenTheWriteIsNotReflectedWithinTheWait() throws Exception {
        String id = KafkaTestClients.uniqueId("c");
        String token = ConsistencyToken.of(List.of(ConsistencyToken.Write.decided("customer", id, 3))).text();

        HttpResponse<String> answer = replica.get("/v1/entities/customer/" + id, Map.of(RunningReplica.KEY_HEADER, RunningReplica.KEY,
                "X-Concord-After", token, "Prefer", "wait=1"));

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).contains("1");
        assertThat(JSON.readTree(answer.body()).path("errors").get(0).path("field").asText()).isEqualTo("X-Concord-After");
    }

    @Test
    void shouldShowTheConflictsOfTheSubscribedTypesToAWebSocketThatAskedForThem() throws Exception {
        String id = KafkaTestClients.uniqueId("c");
        String loser = UUID.randomUUID().toString();
        try (FeedClients.WsClient asked = FeedClients.WsClient.connect(replica.webSocketUri("/v1/changes/ws"));
             FeedClients.WsClient plain = FeedClients.WsClient.subscribe(replica.webSocketUri("/v1/changes/ws"), List.of("customer"), 0)) {
            asked.send("{\"subscribe\":{\"types\":[\"customer\"],\"conflicts\":true}}");
            org.awaitility.Awaitility.await().until(() -> !asked.messages().isEmpty());
            publishConflict(id, loser, 4);

            org.awaitility.Awaitility.await().until(() -> asked.messages().stream().anyMatch(m -> m.path("type").asText().equals("conflict")));
            JsonNode conflict = asked.messages().stream().filter(m -> m.path("type").asText().equals("conflict")).findFirst()
                    .orElseThrow().path("conflict");
            assertThat(conflict.path("entityId").asText()).isEqualTo(id);
            assertThat(conflict.path("eventId").asText()).isEqualTo(loser);
            assertThat(conflict.path("outcome").asText()).isEqualTo("superseded");
            assertThat(conflict.path("lostFields")).extracting(JsonNode::asText).containsExactly("name");
            assertThat(conflict.path("winner").path("writer").asText()).isEqualTo("sales");
            // Opt-in: a subscription that did not ask gets changes only (the conflict's version 4 is never applied here).
            assertThat(plain.messages()).noneMatch(m -> m.path("type").asText().equals("conflict"));
        }
        try (FeedClients.WsClient bad = FeedClients.WsClient.connect(replica.webSocketUri("/v1/changes/ws"))) {
            bad.send("{\"subscribe\":{\"types\":[\"customer\"],\"conflicts\":\"yes\"}}");
            org.awaitility.Awaitility.await().until(() -> !bad.messages().isEmpty());
            assertThat(bad.messages().get(0).path("type").asText()).isEqualTo("error");
            assertThat(bad.messages().get(0).path("detail").asText()).contains("subscribe.conflicts");
        }
    }

    @Test
    void shouldRefuseAMalformedTokenNamingTheHeader() throws Exception {
        for (String bad : List.of("ct1.%%", "v:3", "ct1.W1tdXQ")) {
            HttpResponse<String> answer = get("/v1/entities/customer/c-1", bad);
            assertThat(answer.statusCode()).as(bad).isEqualTo(400);
            assertThat(JSON.readTree(answer.body()).path("errors").get(0).path("field").asText()).isEqualTo("X-Concord-After");
        }
        HttpResponse<String> anonymous = replica.get("/v1/entities/customer/c-1", Map.of("X-Concord-After", "ct1.x"));
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    private static HttpResponse<String> get(String path, String token) {
        return replica.get(path, Map.of(RunningReplica.KEY_HEADER, RunningReplica.KEY, "X-Concord-After", token));
    }

    private static void publishState(EntityState state, String decidedEventId) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        if (decidedEventId != null) {
            DecisionHeaders.mark(headers, decidedEventId, List.of());
        }
        producer.send(new ProducerRecord<>("concord.state.customer", null, state.getEntityId(),
                contract.topics().stateSerde().serializer().serialize("concord.state.customer", state), headers)).get();
    }

    private static void publishConflict(String id, String loserEventId, long stateVersion) throws Exception {
        ConflictRecord conflict = ConflictRecord.newBuilder().setEntityType("customer").setEntityId(id).setRule("field-merge")
                .setScope(ConflictScope.RECORD).setFields(List.of("name"))
                .setWinner(new WriteRef(null, new HybridClock(2_000L, 0), "sales", null))
                .setLoser(new WriteRef(UUID.fromString(loserEventId), new HybridClock(1_000L, 0), "crm", Operation.UPSERT))
                .setStateVersion(stateVersion).setDetectedAt(Instant.now()).build();
        producer.send(new ProducerRecord<>("concord.conflicts", "customer/" + id,
                contract.topics().conflicts().valueSerde().serializer().serialize("concord.conflicts", conflict))).get();
    }
}
