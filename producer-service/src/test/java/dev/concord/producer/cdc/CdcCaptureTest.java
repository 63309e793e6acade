package dev.concord.producer.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.Operation;
import dev.concord.producer.ContractOnTestBroker;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.EventPublisher;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change data capture on a real PostgreSQL (logical replication, pgoutput) into a real broker: rows
 * inserted, updated and deleted in a legacy table reach the events topic with the right ops and the LSN
 * in {@code source.position}; after a restart the capture resumes from its stored offset.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class CdcCaptureTest {

    private static ContractOnTestBroker broker;
    private static EventPublisher publisher;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void connect() {
        broker = ContractOnTestBroker.connect();
        publisher = broker.publisher(WriteMetrics.none());
    }

    @AfterAll
    static void close() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldPublishInsertsUpdatesAndDeletesAndResumeFromItsOffsetAfterARestart() throws Exception {
        // Given a legacy table with a row from before capture started
        String jdbcUrl = PostgresExtension.createDatabase();
        String existing = KafkaTestClients.uniqueId("c");
        String created = KafkaTestClients.uniqueId("c");
        String later = KafkaTestClients.uniqueId("c");
        String slot = KafkaTestClients.uniqueId("slot").replace('-', '_');
        sql(jdbcUrl, """
                CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL,
                                        tier TEXT NOT NULL DEFAULT 'STANDARD', marketing_opt_in BOOLEAN NOT NULL DEFAULT false,
                                        address JSONB, legacy_flags INT NOT NULL DEFAULT 0);
                INSERT INTO customers (id, name, email) VALUES ('%s', 'Ada', 'ada@example.com');""".formatted(existing));
        CdcSettings settings = new CdcSettings(jdbcUrl, null, null, Map.of("public.customers", "customer"), slot,
                dataDir.resolve("offsets.dat"), "cdc-test", Map.of());
        try {
            // When capture runs while rows are inserted, updated and deleted
            try (CdcCapture capture = new CdcCapture(settings, broker.contract(), publisher, broker.events(), WriteMetrics.none())) {
                capture.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> events(existing).size() == 1);
                sql(jdbcUrl, """
                        INSERT INTO customers (id, name, email, address) VALUES ('%1$s', 'Grace', 'grace@example.com',
                            '{"street": "1 Main St", "city": "Arlington", "postalCode": "22201", "country": "US"}');
                        UPDATE customers SET tier = 'GOLD', marketing_opt_in = true WHERE id = '%1$s';
                        DELETE FROM customers WHERE id = '%2$s';""".formatted(created, existing));
                await().atMost(Duration.ofSeconds(60)).until(() -> events(created).size() == 2 && events(existing).size() == 2);
            }

            // Then the right ops, payloads mapped from columns, the LSN as position
            List<EntityEvent> grace = events(created);
            assertThat(grace).extracting(EntityEvent::getOp).containsExactly(Operation.UPSERT, Operation.UPSERT);
            assertThat(payload(grace.get(0)).get("name")).hasToString("Grace");
            assertThat(((GenericRecord) payload(grace.get(0)).get("address")).get("city")).hasToString("Arlington");
            assertThat(payload(grace.get(1)).get("tier")).hasToString("GOLD");
            assertThat(payload(grace.get(1)).get("marketingOptIn")).isEqualTo(true);
            assertThat(grace).allSatisfy(e -> {
                assertThat(e.getSource().getService()).isEqualTo("cdc");
                assertThat(e.getSource().getPosition()).matches("[0-9A-F]+/[0-9A-F]+");
                assertThat(e.getWriter()).isEqualTo("cdc-test");
            });
            assertThat(events(existing)).extracting(EntityEvent::getOp).containsExactly(Operation.UPSERT, Operation.DELETE);

            // When changes happen while capture is down, and it restarts
            sql(jdbcUrl, "INSERT INTO customers (id, name, email) VALUES ('%s', 'Hedy', 'hedy@example.com')".formatted(later));
            try (CdcCapture restarted = new CdcCapture(settings, broker.contract(), publisher, broker.events(), WriteMetrics.none())) {
                restarted.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> events(later).size() == 1);
            }

            // Then it resumed from its offset: no new snapshot, earlier changes at most repeated with the same ids
            assertThat(distinctIds(events(existing))).hasSize(2);
            assertThat(distinctIds(events(created))).hasSize(2);
            assertThat(events(later)).singleElement().satisfies(e -> assertThat(e.getOp()).isEqualTo(Operation.UPSERT));
        } finally {
            sql(jdbcUrl, "SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    @Test
    void shouldSkipAChangeKafkaRefusesForGoodAndGoOnCapturing() throws Exception {
        // Given capture running, and a topic that accepts smaller records than Concord derives (an operator's setting)
        String jdbcUrl = PostgresExtension.createDatabase();
        String big = KafkaTestClients.uniqueId("c");
        String after = KafkaTestClients.uniqueId("c");
        String slot = KafkaTestClients.uniqueId("slot").replace('-', '_');
        sql(jdbcUrl, "CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)");
        CdcSettings settings = new CdcSettings(jdbcUrl, null, null, Map.of("public.customers", "customer"), slot,
                dataDir.resolve("offsets.dat"), "cdc-test", Map.of());
        org.apache.kafka.common.config.ConfigResource topic = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, dev.concord.contract.topics.TopicNames.events("customer"));
        try (CdcCapture capture = new CdcCapture(settings, broker.contract(), publisher, broker.events(), WriteMetrics.none());
             org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                     Map.of("bootstrap.servers", dev.concord.testsupport.KafkaBrokerExtension.bootstrapServers()))) {
            capture.start();
            setMaxMessageBytes(admin, topic, "2000");
            try {
                // When a change too large for it is captured, then another
                sql(jdbcUrl, "INSERT INTO customers (id, name, email) VALUES ('%s', '%s', 'a@b.c')".formatted(big, "n".repeat(4_000)));
                sql(jdbcUrl, "INSERT INTO customers (id, name, email) VALUES ('%s', 'Grace', 'grace@example.com')".formatted(after));

                // Then the first is skipped and the second published: capture does not hold on the first (a later
                // change, in a batch of its own, gets through too)
                await().atMost(Duration.ofSeconds(60)).until(() -> events(after).size() == 1);
                String third = KafkaTestClients.uniqueId("c");
                sql(jdbcUrl, "INSERT INTO customers (id, name, email) VALUES ('%s', 'Hedy', 'hedy@example.com')".formatted(third));
                await().atMost(Duration.ofSeconds(60)).until(() -> events(third).size() == 1);
                assertThat(events(big)).isEmpty();
                assertThat(events(after)).hasSize(1);
            } finally {
                setMaxMessageBytes(admin, topic, null);
            }
        } finally {
            sql(jdbcUrl, "SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    /** Sets the topic's max.message.bytes, or with {@code null} gives it back its default. */
    private static void setMaxMessageBytes(org.apache.kafka.clients.admin.Admin admin, org.apache.kafka.common.config.ConfigResource topic,
                                           String bytes) throws Exception {
        var op = new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes",
                bytes == null ? "" : bytes), bytes == null ? org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE
                : org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET);
        admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static List<UUID> distinctIds(List<EntityEvent> events) {
        return events.stream().map(EntityEvent::getEventId).distinct().toList();
    }

    private static void sql(String jdbcUrl, String statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }

    private static List<EntityEvent> events(String entityId) {
        return broker.events("customer", entityId);
    }

    private static GenericRecord payload(EntityEvent event) {
        return broker.payload(event);
    }
}
