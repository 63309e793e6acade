package dev.concord.producer.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.producer.ContractOnTestBroker;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.RequestRefused;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The transactional outbox on a real PostgreSQL and a real broker: what a business transaction commits
 * is published exactly, in order; what it rolls back is not; a relay that dies mid-batch leaves only its
 * unrecorded rows to be published again.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class OutboxRelayTest {

    private static ContractOnTestBroker broker;

    private PGSimpleDataSource database;

    @BeforeAll
    static void connect() {
        broker = ContractOnTestBroker.connect();
    }

    @AfterAll
    static void close() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void createOutbox() throws SQLException {
        database = new PGSimpleDataSource();
        database.setUrl(PostgresExtension.createDatabase());
        OutboxTable.createSchema(database);
        // Applying it twice (two relays starting) changes nothing.
        OutboxTable.createSchema(database);
    }

    @Test
    void shouldPublishExactlyTheCommittedRowsInOrderAndNothingForARollback() throws Exception {
        // Given a legacy table captured by the trigger, and an application that also appends explicitly
        String committed = KafkaTestClients.uniqueId("c");
        String rolledBack = KafkaTestClients.uniqueId("c");
        String deleted = KafkaTestClients.uniqueId("c");
        sql("""
                CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, tier TEXT NOT NULL DEFAULT 'STANDARD',
                                        marketing_opt_in BOOLEAN NOT NULL DEFAULT false, internal_note TEXT);
                CREATE TRIGGER customers_to_concord AFTER INSERT OR UPDATE OR DELETE ON customers
                    FOR EACH ROW EXECUTE FUNCTION concord_outbox_capture('customer', 'id', 'internal_note');""");

        // When one business transaction rolls back and another commits
        try (Connection c = database.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO customers (id, name, email) VALUES ('" + rolledBack + "', 'Grace', 'grace@example.com')");
            }
            c.rollback();
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO customers (id, name, email, internal_note) VALUES ('" + committed + "', 'Ada', 'ada@example.com', 'vip')");
                s.execute("UPDATE customers SET tier = 'GOLD', marketing_opt_in = true WHERE id = '" + committed + "'");
                s.execute("SELECT concord_outbox_append('customer', '" + committed + "', 'PATCH', '{\"phone\": \"+44 20 7946 0000\"}')");
                s.execute("INSERT INTO customers (id, name, email) VALUES ('" + deleted + "', 'Charles', 'charles@example.com')");
                s.execute("DELETE FROM customers WHERE id = '" + deleted + "'");
            }
            c.commit();
        }
        List<UUID> outboxIds = queryIds("SELECT event_id FROM concord_outbox ORDER BY seq");
        OutboxRelay relay = relay("relay-1", 100, 50, Duration.ofSeconds(30), n -> { });
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.relayOnce() == 0 && count("concord_outbox") == 0);

        // Then exactly the committed rows, in commit order per entity, with the rows' ids
        assertThat(events(rolledBack)).isEmpty();
        List<EntityEvent> ada = events(committed);
        assertThat(ada).extracting(EntityEvent::getOp).containsExactly(Operation.UPSERT, Operation.UPSERT, Operation.PATCH);
        assertThat(payload(ada.get(0)).get("name")).hasToString("Ada");
        assertThat(payload(ada.get(1)).get("tier")).hasToString("GOLD");
        assertThat(payload(ada.get(1)).get("marketingOptIn")).isEqualTo(true);
        assertThat(ada.get(2).getChangedFields()).containsExactly("phone");
        assertThat(ada).extracting(e -> HlcTimestamp.of(e.getClock())).isSorted().doesNotHaveDuplicates();
        assertThat(ada).allSatisfy(e -> {
            assertThat(e.getExpectedVersion()).isNull();
            assertThat(e.getWriter()).isEqualTo("outbox-test");
            assertThat(e.getSource().getService()).isEqualTo("outbox-relay");
            assertThat(e.getSource().getTransactionId()).isNotBlank();
        });
        assertThat(events(deleted)).extracting(EntityEvent::getOp).containsExactly(Operation.UPSERT, Operation.DELETE);
        List<UUID> published = new ArrayList<>();
        ada.forEach(e -> published.add(e.getEventId()));
        events(deleted).forEach(e -> published.add(e.getEventId()));
        assertThat(published).containsExactlyInAnyOrderElementsOf(outboxIds);
    }

    @Test
    void shouldRepublishOnlyTheUnrecordedRowsWhenARelayDiesMidBatch() throws Exception {
        // Given ten committed rows of two entities, interleaved
        String first = KafkaTestClients.uniqueId("c");
        String second = KafkaTestClients.uniqueId("c");
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            for (int i = 0; i < 10; i++) {
                s.execute("SELECT concord_outbox_append('customer', '" + (i % 2 == 0 ? first : second) + "', 'UPSERT', "
                        + "'{\"name\": \"v" + i + "\", \"email\": \"e" + i + "@example.com\"}')");
            }
        }
        List<UUID> ids = queryIds("SELECT event_id FROM concord_outbox ORDER BY seq");

        // When a relay dies right after recording its first acknowledgements (at most 3 rows)
        OutboxRelay dying = relay("relay-dying", 10, 3, Duration.ofMillis(500), n -> {
            throw new SimulatedCrash();
        });
        try {
            dying.relayOnce();
        } catch (SimulatedCrash expected) {
            // the process is gone: nothing after this point ran
        }
        List<UUID> unrecorded = queryIds("SELECT event_id FROM concord_outbox ORDER BY seq");
        assertThat(unrecorded).hasSizeBetween(7, 9);

        // ... and another relay takes over once the lease expired
        OutboxRelay survivor = relay("relay-survivor", 10, 50, Duration.ofSeconds(30), n -> { });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> survivor.relayOnce() >= 0 && count("concord_outbox") == 0);

        // Then every row is published; only unrecorded rows more than once; each entity in order after dedup
        List<EntityEvent> all = new ArrayList<>(events(first));
        all.addAll(events(second));
        List<UUID> publishedIds = all.stream().map(EntityEvent::getEventId).toList();
        assertThat(new LinkedHashSet<>(publishedIds)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(publishedIds.size() - ids.size()).isLessThanOrEqualTo(unrecorded.size());
        ids.stream().filter(id -> !unrecorded.contains(id))
                .forEach(id -> assertThat(publishedIds).as("recorded row %s", id).containsOnlyOnce(id));
        for (String entity : List.of(first, second)) {
            List<String> names = new ArrayList<>(events(entity).stream().collect(
                    java.util.stream.Collectors.toMap(EntityEvent::getEventId, e -> payload(e).get("name").toString(),
                            (a, b) -> a, java.util.LinkedHashMap::new)).values());
            assertThat(names).isSortedAccordingTo((a, b) -> Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1))));
            assertThat(names).hasSize(5);
        }
    }

    @Test
    void shouldMoveARowThatCannotBecomeAnEventAsideWithoutBlockingItsEntity() throws Exception {
        // Given a row for an undeclared type, one with an invalid payload, one with a version check its
        // type does not do, a valid one after them, and an order row with an expected version
        String id = KafkaTestClients.uniqueId("c");
        String order = KafkaTestClients.uniqueId("o");
        sql("SELECT concord_outbox_append('kunde', '" + id + "', 'UPSERT', '{\"name\": \"x\"}');"
                + "SELECT concord_outbox_append('customer', '" + id + "', 'UPSERT', '{\"name\": 42}');"
                + "SELECT concord_outbox_append('customer', '" + id + "', 'DELETE', NULL, NULL, 3);"
                + "SELECT concord_outbox_append('customer', '" + id + "', 'UPSERT', '{\"name\": \"Ada\", \"email\": \"ada@example.com\"}');"
                + "SELECT concord_outbox_append('order', '" + order + "', 'UPSERT', '{\"customer_id\": \"" + id + "\", "
                + "\"status\": \"PENDING\", \"currency\": \"EUR\", \"total_cents\": 100}', NULL, 0);");

        // When
        relay("relay-1", 10, 10, Duration.ofSeconds(30), n -> { }).relayOnce();

        // Then
        assertThat(count("concord_outbox")).isZero();
        assertThat(count("concord_outbox_dead")).isEqualTo(3);
        assertThat(events(id)).singleElement().satisfies(e -> assertThat(payload(e).get("name")).hasToString("Ada"));
        assertThat(events("order", order)).singleElement().satisfies(e -> assertThat(e.getExpectedVersion()).isZero());
    }

    @Test
    void shouldRefuseARowForTheSameReasonTheHttpApiRefusesTheSameWrite() throws Exception {
        // Given writes the HTTP API answers with 422: a PATCH of an optimistic type, a version check on a
        // field-merge type, and a PATCH naming changed_fields its payload does not set
        String order = KafkaTestClients.uniqueId("o");
        String id = KafkaTestClients.uniqueId("c");
        sql("SELECT concord_outbox_append('order', '" + order + "', 'PATCH', '{\"status\": \"PAID\"}');"
                + "SELECT concord_outbox_append('customer', '" + id + "', 'UPSERT', '{\"name\": \"Ada\", \"email\": \"a@x\"}', NULL, 3);"
                + "SELECT concord_outbox_append('customer', '" + id + "', 'PATCH', '{\"tier\": \"GOLD\"}', ARRAY['tier', 'email']);");

        // When the relay meets them
        relay("relay-1", 10, 10, Duration.ofSeconds(30), n -> { }).relayOnce();

        // Then each is moved aside with the problem an HTTP client would have read, and nothing is published
        assertThat(deadReasons()).containsExactlyInAnyOrder(
                "PATCH not supported for order: " + RequestRefused.patchNotSupported("order", "optimistic").getMessage(),
                "Version check not supported for customer: "
                        + RequestRefused.versionCheckNotSupported("customer", "field-merge", "expected_version").getMessage(),
                "Invalid write: " + RequestRefused.invalidWrite("changed_fields", "fields the patch sets, of [tier]", "[tier, email]")
                        .getMessage());
        assertThat(events("order", order)).isEmpty();
        assertThat(events(id)).isEmpty();
    }

    @Test
    void shouldMeasureTheBacklogItsAgeAndWhatBecameOfEachRow() throws Exception {
        // Given two valid rows and one the relay cannot turn into an event, waiting in the outbox
        String id = KafkaTestClients.uniqueId("c");
        sql("SELECT concord_outbox_append('customer', '" + id + "', 'UPSERT', '{\"name\": \"Ada\", \"email\": \"ada@example.com\"}');"
                + "SELECT concord_outbox_append('customer', '" + id + "', 'PATCH', '{\"tier\": \"GOLD\"}');"
                + "SELECT concord_outbox_append('kunde', '" + id + "', 'UPSERT', '{\"name\": \"x\"}');");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OutboxRelay relay = relay("relay-1", 10, 10, Duration.ofSeconds(30), new WriteMetrics(registry), n -> { });

        // When the backlog is measured before and after a round
        relay.measureBacklog();
        double backlogBefore = registry.get("concord.producer.outbox.backlog").gauge().value();
        double ageBefore = registry.get("concord.producer.outbox.oldest.age").gauge().value();
        relay.relayOnce();
        relay.measureBacklog();

        // Then the meters say what waited, and what became of each row
        assertThat(backlogBefore).isEqualTo(3);
        assertThat(ageBefore).isGreaterThanOrEqualTo(0);
        assertThat(registry.get("concord.producer.outbox.backlog").gauge().value()).isZero();
        assertThat(registry.get("concord.producer.events").tags("source", "outbox", "type", "customer", "outcome", "published")
                .counter().count()).isEqualTo(2);
        assertThat(registry.get("concord.producer.refused").tags("source", "outbox", "reason", "unknown-entity-type").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("concord.producer.publish.latency").tags("source", "outbox").timer().count()).isEqualTo(2);
    }

    @Test
    void shouldMoveRowsWithAnInvalidIdOrAnOverLargePayloadToTheDeadTableWithTheReasonAndRelayTheRest() throws Exception {
        // Given: ids the grammar refuses (a line feed, a bidi override, only spaces, a replacement character),
        // a payload whose field is over its share of what the processor can carry, then a valid row
        String id = KafkaTestClients.uniqueId("c");
        String ada = "'{\"name\": \"Ada\", \"email\": \"ada@example.com\"}'";
        sql("SELECT concord_outbox_append('customer', E'" + id + "\\nforged', 'UPSERT', " + ada + ");"
                + "SELECT concord_outbox_append('customer', E'" + id + "\\u202E', 'UPSERT', " + ada + ");"
                + "SELECT concord_outbox_append('customer', '   ', 'UPSERT', " + ada + ");"
                + "SELECT concord_outbox_append('customer', E'" + id + "\\uFFFD', 'UPSERT', " + ada + ");"
                + "SELECT concord_outbox_append('customer', '" + id + "', 'UPSERT', '{\"name\": \"" + "n".repeat(200_000)
                + "\", \"email\": \"a@b.c\"}');"
                + "SELECT concord_outbox_append('customer', '" + id + "', 'UPSERT', " + ada + ");");

        // When
        relay("relay-1", 10, 10, Duration.ofSeconds(30), n -> { }).relayOnce();

        // Then: every refused row is in the dead table with its reason; the valid one was published
        assertThat(count("concord_outbox")).isZero();
        assertThat(deadReasons()).hasSize(5).anySatisfy(reason -> assertThat(reason).contains("U+000A"))
                .anySatisfy(reason -> assertThat(reason).contains("U+202E"))
                .anySatisfy(reason -> assertThat(reason).contains("only whitespace"))
                .anySatisfy(reason -> assertThat(reason).contains("U+FFFD"))
                .anySatisfy(reason -> assertThat(reason).contains("'name'").contains("bytes Avro-encoded"));
        assertThat(events(id)).singleElement().satisfies(e -> assertThat(payload(e).get("name")).hasToString("Ada"));
    }

    @Test
    void shouldMoveARowKafkaRefusesForGoodToTheDeadTableAndRecordTheOthersOfItsBatch() throws Exception {
        // Given a topic that accepts smaller records than Concord derives (an operator's max.message.bytes), and a
        // batch of a row over it between two that fit
        String topic = dev.concord.contract.topics.TopicNames.events("customer");
        org.apache.kafka.common.config.ConfigResource resource =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        String id = KafkaTestClients.uniqueId("c");
        String ada = "'{\"name\": \"Ada\", \"email\": \"ada@example.com\"}'";
        sql("SELECT concord_outbox_append('customer', '" + id + "-before', 'UPSERT', " + ada + ");"
                + "SELECT concord_outbox_append('customer', '" + id + "', 'UPSERT', '{\"name\": \"" + "n".repeat(4_000)
                + "\", \"email\": \"a@b.c\"}');"
                + "SELECT concord_outbox_append('customer', '" + id + "-after', 'UPSERT', " + ada + ");");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()))) {
            alter(admin, resource, new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", "2000"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET));
            try {
                // When the relay sends them
                relay("relay-1", 10, 10, Duration.ofSeconds(30), n -> { }).relayOnce();
            } finally {
                alter(admin, resource, new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", ""),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE));
            }
        }

        // Then the row over it is dead with Kafka's reason, and the others are published once and gone from the outbox
        assertThat(count("concord_outbox")).isZero();
        assertThat(deadReasons()).singleElement().satisfies(reason -> assertThat(reason)
                .contains("Kafka refused the event").contains("RecordTooLargeException"));
        assertThat(events(id + "-before")).hasSize(1);
        assertThat(events(id + "-after")).hasSize(1);
        assertThat(events(id)).isEmpty();
    }

    private static void alter(org.apache.kafka.clients.admin.Admin admin, org.apache.kafka.common.config.ConfigResource resource,
                              org.apache.kafka.clients.admin.AlterConfigOp op) throws Exception {
        admin.incrementalAlterConfigs(java.util.Map.of(resource, List.of(op))).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    private List<String> deadReasons() throws SQLException {
        List<String> reasons = new ArrayList<>();
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT error FROM concord_outbox_dead")) {
            while (rs.next()) {
                reasons.add(rs.getString(1));
            }
        }
        return reasons;
    }

    private OutboxRelay relay(String relayId, int batchSize, int recordChunk, Duration lease, IntConsumer onRecorded) {
        return relay(relayId, batchSize, recordChunk, lease, WriteMetrics.none(), onRecorded);
    }

    private OutboxRelay relay(String relayId, int batchSize, int recordChunk, Duration lease, WriteMetrics metrics,
                              IntConsumer onRecorded) {
        return new OutboxRelay(database, broker.contract(), broker.publisher(metrics), broker.events(),
                new OutboxSettings(relayId, "outbox-test", batchSize, lease, Duration.ofMillis(100), recordChunk), metrics, onRecorded);
    }

    private static final class SimulatedCrash extends RuntimeException {
    }

    private void sql(String statements) throws SQLException {
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }

    private long count(String table) throws SQLException {
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<UUID> queryIds(String query) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (Connection c = database.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                ids.add(rs.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    private static List<EntityEvent> events(String entityId) {
        return events("customer", entityId);
    }

    private static List<EntityEvent> events(String type, String entityId) {
        return broker.events(type, entityId);
    }

    private static GenericRecord payload(EntityEvent event) {
        return broker.payload(event);
    }
}
