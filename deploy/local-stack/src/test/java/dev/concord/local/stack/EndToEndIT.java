package dev.concord.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.AvroTrust;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.domain.Customer;
import dev.concord.testsupport.ForgedTokens;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path across real processes: a KRaft broker, sync-processor, producer-service and
 * consumer-service with embedded PostgreSQL, started exactly as {@code ./concord up} starts them.
 */
class EndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalStack stack;
    private static ConcordContract contract;

    private static String cdcSource;
    private static String outboxSource;
    private static Path sourcesFile;
    private static Path root;

    @BeforeAll
    static void startConcord() throws Exception {
        AvroTrust.trustConcordPackages();
        root = Path.of(System.getProperty("concord.home", "../..")).toAbsolutePath().normalize();
        Path runDir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "e2e-run-").toAbsolutePath();
        // As ./concord up --sources: the sample sources feed producer-service's change data capture and outbox relay.
        sourcesFile = runDir.resolve("sources.properties");
        stack = LocalStack.start(LocalStackConfig.onFreePorts(root, runDir).withSources(sourcesFile).withProducerEnvironment(Map.of(
                // Small batches and a short lease, so a crash lands mid-stream and its claims expire quickly.
                "CONCORD_OUTBOX_BATCH_SIZE", "25",
                "CONCORD_OUTBOX_LEASE", "3s")));
        cdcSource = stack.sourceUrls().get("legacy");
        outboxSource = stack.sourceUrls().get("app");
        contract = ConcordContract.connect(Map.of("bootstrap.servers", stack.bootstrapServers()),
                EntityTypes.load(EntityTypes.DEFAULT_DECLARATION));
    }

    @AfterAll
    static void stopConcord() throws Exception {
        if (contract != null) {
            contract.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldCarryAPublishedChangeToTheReplica() throws Exception {
        String id = "c-" + UUID.randomUUID();

        HttpResponse<String> published = put(id, """
                {"name": "Ada Lovelace", "email": "ada@example.com", "tier": "GOLD"}""");

        assertThat(published.statusCode()).isEqualTo(202);
        JsonNode replica = awaitReplica(id, entity -> entity.path("version").asLong() == 1);
        assertThat(replica.path("data").path("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(replica.path("data").path("tier").asText()).isEqualTo("GOLD");
        assertThat(replica.path("writer").asText()).isEqualTo(JSON.readTree(published.body()).path("writer").asText());
    }

    @Test
    void shouldReplayAnEntitysCurrentStateUnchangedOnAnOperatorsRequest() throws Exception {
        String id = "c-" + UUID.randomUUID();
        put(id, """
                {"name": "Ada Lovelace", "email": "ada@example.com"}""");
        put(id, """
                {"name": "Ada King", "email": "ada@example.com"}""");
        JsonNode before = awaitReplica(id, entity -> entity.path("version").asLong() == 2);

        HttpResponse<String> replay = HTTP.send(HttpRequest.newBuilder(stack.producerUrl().resolve("/v1/admin/replay/customer"))
                .header("Content-Type", "application/json").header("X-Api-Key", stack.devApiKey())
                .POST(HttpRequest.BodyPublishers.ofString("{\"ids\": [\"" + id + "\"]}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        // The processor publishes the state again, same version and content, after the two it published for the writes
        var stateTopic = contract.topics().state(contract.types().require("customer"));
        List<dev.concord.contract.avro.EntityState> published = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            published.clear();
            dev.concord.testsupport.KafkaTestClients.readAll(stack.bootstrapServers(), stateTopic.name()).stream()
                    .filter(record -> id.equals(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8)))
                    .forEach(record -> published.add(stateTopic.valueSerde().deserializer().deserialize(stateTopic.name(), record.value())));
            return published.size() == 3;
        });
        assertThat(published).extracting(dev.concord.contract.avro.EntityState::getVersion).containsExactly(1L, 2L, 2L);
        assertThat(published.get(2)).isEqualTo(published.get(1));
        // and the replica, which had it, stays as it was
        assertThat(awaitReplica(id, entity -> true)).isEqualTo(before);
    }

    @Test
    void shouldRefuseAnAttackerAtEveryDoorOfEveryServiceWhileTheDevelopmentKeyWorks() throws Exception {
        String id = "c-" + UUID.randomUUID();
        // An unsigned token claiming every grant, the classic alg=none forgery, and a guessed key.
        String unsigned = ForgedTokens.unsigned("mallory", "*:*", "trusted-writer");
        List<String[]> attackers = List.of(new String[0], new String[] {"Authorization", "Bearer " + unsigned},
                new String[] {"X-Api-Key", "guessed"});
        List<URI> reads = List.of(stack.consumerUrl().resolve("/v1/entities/customer/" + id),
                stack.consumerUrl().resolve("/v1/entities/customer"), stack.consumerUrl().resolve("/v1/changes"),
                stack.consumerUrl().resolve("/v1/changes?wait=1"), stack.consumerUrl().resolve("/v1/changes/stream"),
                stack.processorUrl().resolve("/v1/state/customer/" + id), stack.producerUrl().resolve("/v1/writes/" + UUID.randomUUID()),
                stack.consumerUrl().resolve("/prometheus"),
                stack.producerUrl().resolve("/prometheus"), stack.processorUrl().resolve("/prometheus"));
        for (String[] credentials : attackers) {
            HttpRequest.Builder write = HttpRequest.newBuilder(stack.producerUrl().resolve("/v1/entities/customer/" + id))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\", \"email\": \"x@x\"}"));
            if (credentials.length > 0) {
                write.headers(credentials);
            }
            assertThat(HTTP.send(write.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
            for (URI uri : reads) {
                HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
                if (credentials.length > 0) {
                    request.headers(credentials);
                }
                HttpResponse<String> refused = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as("%s with %s", uri, List.of(credentials)).isEqualTo(401);
                assertThat(refused.headers().firstValue("Content-Type")).as(uri.toString())
                        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            }
            java.net.http.WebSocket.Builder socket = HTTP.newWebSocketBuilder();
            if (credentials.length > 0) {
                socket.header(credentials[0], credentials[1]);
            }
            assertThat(socket.buildAsync(URI.create("ws://" + stack.consumerUrl().getAuthority() + "/v1/changes/ws"),
                    new java.net.http.WebSocket.Listener() { }).handle((opened, failure) ->
                    failure != null && failure.getCause() instanceof java.net.http.WebSocketHandshakeException refused
                            ? refused.getResponse().statusCode() : 101).join()).isEqualTo(401);
        }

        // The development key, as ./concord up prints it, works on every door.
        assertThat(put(id, """
                {"name": "Ada Lovelace", "email": "ada@example.com"}""").statusCode()).isEqualTo(202);
        awaitReplica(id, entity -> entity.path("version").asLong() == 1);
        assertThat(HTTP.send(read(stack.processorUrl().resolve("/v1/state/customer/" + id)), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(HTTP.send(read(stack.consumerUrl().resolve("/v1/changes?types=customer")), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        java.net.http.WebSocket keyed = HTTP.newWebSocketBuilder().header("X-Api-Key", stack.devApiKey())
                .buildAsync(URI.create("ws://" + stack.consumerUrl().getAuthority() + "/v1/changes/ws"),
                        new java.net.http.WebSocket.Listener() { }).get(30, java.util.concurrent.TimeUnit.SECONDS);
        keyed.abort();
    }

    @Test
    void shouldKeepApplyingLaterChangesWhenOneRowCannotBeStoredAndShowItInTheReplicasDeadLetters() throws Exception {
        String poisoned = "c-nul-" + UUID.randomUUID();
        String later = "c-after-" + UUID.randomUUID();
        // The publish door refuses a NUL in a string (422): PostgreSQL's jsonb cannot hold it.
        assertThat(put(poisoned, """
                {"name": "Ada\\u0000Lovelace", "email": "ada@example.com"}""").statusCode()).isEqualTo(422);
        // A writer straight to Kafka is not stopped by the door: the processor folds it, the replica cannot store it.
        publishDirectly(poisoned, "edge-eu", new HlcTimestamp(System.currentTimeMillis(), 0), "Ada\u0000Lovelace");
        assertThat(put(later, """
                {"name": "Grace Hopper", "email": "grace@example.com"}""").statusCode()).isEqualTo(202);

        // Every later change still reaches the replica...
        awaitReplica(later, entity -> entity.path("version").asLong() == 1);
        // ...and the row it could not store is in its dead letters, with the reason.
        JsonNode[] letters = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> response = HTTP.send(read(stack.consumerUrl().resolve("/v1/replica/dead-letters?limit=1000")),
                    HttpResponse.BodyHandlers.ofString());
            letters[0] = JSON.readTree(response.body());
            return response.statusCode() == 200 && letters[0].path("deadLetters").findValuesAsText("entityId").contains(poisoned);
        });
        for (JsonNode letter : letters[0].path("deadLetters")) {
            if (letter.path("entityId").asText().equals(poisoned)) {
                assertThat(letter.path("reason").asText()).isNotBlank();
                assertThat(letter.path("value").asText()).isNotBlank();
            }
        }
        assertThat(HTTP.send(read(stack.consumerUrl().resolve("/v1/entities/customer/" + poisoned)),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldCarryTheLargestAcceptedBodyToTheReplicaAndRefuseOneByteMore() throws Exception {
        String id = "o-" + UUID.randomUUID();
        // The door names its limit; ask it, as a client would, with a body far over any limit.
        HttpResponse<String> probe = putOrder(id, orderOfLength(2_000_000));
        assertThat(probe.statusCode()).isEqualTo(413);
        String expected = JSON.readTree(probe.body()).path("errors").get(0).path("expected").asText();
        int limit = Integer.parseInt(expected.replaceAll("\\D", ""));

        assertThat(putOrder(id, orderOfLength(limit + 1)).statusCode()).isEqualTo(413);
        HttpResponse<String> accepted = putOrder(id, orderOfLength(limit));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        // Accepted means applied: the processor folds it and the replica serves it, nothing dead-lettered.
        URI uri = stack.consumerUrl().resolve("/v1/entities/order/" + id);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            HttpResponse<String> response = HTTP.send(read(uri), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && JSON.readTree(response.body()).path("data").path("note").asText().length()
                    == limit - orderOfLength(0).length();
        });
    }

    private static HttpResponse<String> putOrder(String id, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(stack.producerUrl().resolve("/v1/entities/order/" + id))
                        .header("Content-Type", "application/json").header("X-Api-Key", stack.devApiKey())
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A valid order body of exactly {@code bytes} bytes (the note fills it); with 0, the body with an empty note. */
    private static String orderOfLength(int bytes) {
        String empty = "{\"customerId\": \"c-1\", \"status\": \"PAID\", \"currency\": \"EUR\", \"totalCents\": 1, \"note\": \"\"}";
        return bytes == 0 ? empty : empty.replace("\"note\": \"\"", "\"note\": \"" + "n".repeat(bytes - empty.length()) + "\"");
    }

    @Test
    void shouldConvergeConflictingWritersOnTheGreatestClockNotTheLastArrival() throws Exception {
        String id = "c-" + UUID.randomUUID();
        long now = System.currentTimeMillis();

        // Writer edge-eu, whose clock runs ahead of producer-service's, writes straight to Kafka...
        publishDirectly(id, "edge-eu", new HlcTimestamp(now + 10_000, 0), "Written by edge-eu");
        // ...then producer-service writes through the API: later to arrive, but older by clock, so it must lose.
        assertThat(put(id, """
                {"name": "Written through the API", "email": "api@example.com"}""").statusCode()).isEqualTo(202);
        // A last, newer write by edge-eu shows the processor went past the losing write.
        publishDirectly(id, "edge-eu", new HlcTimestamp(now + 20_000, 0), "Rewritten by edge-eu");

        JsonNode replica = awaitReplica(id, entity -> entity.path("data").path("name").asText().equals("Rewritten by edge-eu"));
        assertThat(replica.path("writer").asText()).isEqualTo("edge-eu");
        assertThat(replica.path("version").asLong())
                .as("two accepted changes; the API write lost and did not count").isEqualTo(2);
        assertThat(replica.path("clock").path("physicalMillis").asLong()).isEqualTo(now + 20_000);
    }

    @Test
    void shouldCarryRowChangesOfALegacyTableToTheReplicaThroughChangeDataCapture() throws Exception {
        String id = "cdc-" + UUID.randomUUID();

        sql(cdcSource, "INSERT INTO customers VALUES ('" + id + "', 'Grace', 'grace@example.com', NULL)");
        assertThat(awaitReplica(id, entity -> entity.path("data").path("name").asText().equals("Grace"))
                .path("writer").asText()).isEqualTo("cdc");

        sql(cdcSource, "UPDATE customers SET name = 'Grace Hopper', phone = '+1 555 0100' WHERE id = '" + id + "'");
        JsonNode updated = awaitReplica(id, entity -> entity.path("data").path("name").asText().equals("Grace Hopper"));
        assertThat(updated.path("data").path("phone").asText()).isEqualTo("+1 555 0100");

        sql(cdcSource, "DELETE FROM customers WHERE id = '" + id + "'");
        awaitGone(id);
    }

    @Test
    void shouldCarryWhatTheSourcesCommandsPrintedWriteToTheReplicaAndNothingRolledBack() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String committed = "acct-" + suffix;
        String rolledBack = "acct-never-" + suffix;
        String later = "acct-later-" + suffix;
        // The commands ./concord up --sources prints, as ./concord sql runs them.
        assertThat(concordSql("app", "INSERT INTO accounts VALUES ('" + committed + "', 'Ada', 'ada@example.com', NULL)")).isZero();
        assertThat(concordSql("app", "BEGIN; INSERT INTO accounts VALUES ('" + rolledBack + "', 'Never', 'never@example.com', NULL); ROLLBACK"))
                .isZero();
        assertThat(concordSql("app", "INSERT INTO accounts VALUES ('" + later + "', 'Later', 'later@example.com', NULL)")).isZero();
        assertThat(concordSql("nowhere", "SELECT 1")).as("an unknown database is refused").isOne();

        JsonNode replica = awaitReplica(committed, entity -> entity.path("data").path("name").asText().equals("Ada"));
        assertThat(replica.path("writer").asText()).isEqualTo("outbox");
        awaitReplica(later, entity -> true);
        // The relay publishes in commit order, and the later row has arrived: the rolled-back one never will.
        assertThat(HTTP.send(read(stack.consumerUrl().resolve("/v1/entities/customer/" + rolledBack)),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
    }

    /** {@code ./concord sql <database> "<statements>"}: the sample sources' command, as its own process. */
    private static int concordSql(String database, String statements) throws Exception {
        ManagedProcess sql = ConcordModule.POSTGRES.launch(root,
                "-Xmx64m", Map.of(), stack.runDirectory().resolve("logs").resolve("sql-" + UUID.randomUUID() + ".log"),
                line -> false, "sql", database, statements, "--sources-file", sourcesFile.toString());
        return sql.awaitExit(Duration.ofMinutes(1)).orElseThrow(() -> new AssertionError("./concord sql did not finish"));
    }

    @Test
    void shouldPublishCommittedOutboxRowsAndNothingFromARolledBackTransaction() throws Exception {
        String rolledBack = "ob-" + UUID.randomUUID();
        String committed = "ob-" + UUID.randomUUID();
        try (Connection db = DriverManager.getConnection(outboxSource)) {
            db.setAutoCommit(false);
            append(db, rolledBack, "UPSERT", "{\"name\": \"Never\", \"email\": \"never@example.com\"}");
            db.rollback();
            append(db, committed, "UPSERT", "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}");
            append(db, committed, "PATCH", "{\"tier\": \"GOLD\"}");
            db.commit();
        }

        JsonNode replica = awaitReplica(committed, entity -> entity.path("data").path("tier").asText().equals("GOLD"));
        assertThat(replica.path("data").path("name").asText()).isEqualTo("Ada");
        assertThat(replica.path("writer").asText()).isEqualTo("outbox");
        assertThat(HTTP.send(read(stack.consumerUrl().resolve("/v1/entities/customer/" + rolledBack)),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldLeaveTheReplicaIdenticalWhenTheRelayCrashesMidStream() throws Exception {
        String prefix = "crash-" + UUID.randomUUID() + "-";
        int entities = 100;
        int versions = 6;
        try (Connection db = DriverManager.getConnection(outboxSource)) {
            db.setAutoCommit(false);
            for (int v = 0; v < versions; v++) {
                for (int e = 0; e < entities; e++) {
                    append(db, prefix + e, "UPSERT", "{\"name\": \"v" + v + "\", \"email\": \"e" + e + "@example.com\"}");
                }
                db.commit();
            }
        }
        int appended = entities * versions;
        await().atMost(Duration.ofSeconds(60)).until(() -> outboxRows() < appended - 50);
        assertThat(outboxRows()).as("the crash comes while rows are still waiting").isPositive();

        stack.crashAndRestartProducer();

        for (int e = 0; e < entities; e++) {
            String id = prefix + e;
            JsonNode replica = awaitReplica(id, entity -> entity.path("data").path("name").asText().equals("v" + (versions - 1)));
            assertThat(replica.path("data").path("email").asText()).isEqualTo("e" + e + "@example.com");
        }
        assertThat(outboxRows()).isZero();
    }

    private static long outboxRows() throws Exception {
        try (Connection db = DriverManager.getConnection(outboxSource); Statement sql = db.createStatement();
             var rows = sql.executeQuery("SELECT count(*) FROM concord_outbox")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void append(Connection db, String id, String op, String payload) throws Exception {
        try (var call = db.prepareStatement("SELECT concord_outbox_append('customer', ?, ?, ?::jsonb)")) {
            call.setString(1, id);
            call.setString(2, op);
            call.setString(3, payload);
            call.execute();
        }
    }

    private static void sql(String jdbcUrl, String statements) throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl); Statement sql = db.createStatement()) {
            sql.execute(statements);
        }
    }

    private static void awaitGone(String id) {
        URI uri = stack.consumerUrl().resolve("/v1/entities/customer/" + id);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                HTTP.send(read(uri), HttpResponse.BodyHandlers.discarding()).statusCode() == 404);
    }

    /** A GET with the development key, as the curl lines {@code ./concord up} prints. */
    private static HttpRequest read(URI uri) {
        return HttpRequest.newBuilder(uri).header("X-Api-Key", stack.devApiKey()).build();
    }

    private static HttpResponse<String> put(String id, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(stack.producerUrl().resolve("/v1/entities/customer/" + id))
                        .header("Content-Type", "application/json")
                        .header("X-Api-Key", stack.devApiKey())
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void publishDirectly(String id, String writer, HlcTimestamp clock, String name) throws Exception {
        EntityType customer = contract.types().require("customer");
        GenericRecord payload = (GenericRecord) GenericData.get().deepCopy(Customer.getClassSchema(),
                Customer.newBuilder().setName(name).setEmail(writer + "@example.com").build());
        EntityEvent event = EntityEvents.upsert(UUID.randomUUID(), "customer", id, contract.payloads().encode(payload),
                clock, writer, EntityEvents.source(writer));
        var topic = contract.topics().events(customer);
        try (KafkaProducer<String, EntityEvent> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), id, event)).get();
        }
    }

    private static JsonNode awaitReplica(String id, java.util.function.Predicate<JsonNode> condition) {
        URI uri = stack.consumerUrl().resolve("/v1/entities/customer/" + id);
        JsonNode[] seen = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> response = HTTP.send(read(uri), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return false;
            }
            seen[0] = JSON.readTree(response.body());
            return condition.test(seen[0]);
        });
        return seen[0];
    }
}
