package dev.concord.producer;

import static org.awaitility.Awaitility.await;

import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The service as configured in production: with an outbox database and a CDC source set, it creates the
 * outbox schema, relays appended rows and captures table changes on its own — the configuration the
 * README documents, wired end to end (the behaviour itself is tested in the outbox and cdc packages).
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class SourcesWiringTest {

    @Test
    void shouldRelayTheOutboxAndCaptureChangesWhenConfigured() throws Exception {
        // Given
        String jdbcUrl = PostgresExtension.createDatabase();
        String slot = KafkaTestClients.uniqueId("slot").replace('-', '_');
        String viaOutbox = KafkaTestClients.uniqueId("c");
        String viaCdc = KafkaTestClients.uniqueId("c");
        sql(jdbcUrl, "CREATE TABLE legacy_customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)");

        try (RunningProducerService service = RunningProducerService.start(KafkaBrokerExtension.bootstrapServers(), Map.of(
                "concord.outbox.jdbc-url", jdbcUrl,
                "concord.outbox.poll-interval", "100ms",
                "concord.cdc.jdbc-url", jdbcUrl,
                "concord.cdc.tables", "legacy_customers=customer",
                "concord.cdc.slot", slot))) {
            // When
            sql(jdbcUrl, "SELECT concord_outbox_append('customer', '" + viaOutbox + "', 'UPSERT', "
                    + "'{\"name\": \"Ada\", \"email\": \"ada@example.com\"}')");
            sql(jdbcUrl, "INSERT INTO legacy_customers VALUES ('" + viaCdc + "', 'Grace', 'grace@example.com')");

            // Then
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), service.contract(), "customer", viaOutbox).size() == 1
                            && TopicEvents.of(KafkaBrokerExtension.bootstrapServers(), service.contract(), "customer", viaCdc).size() == 1);
        } finally {
            sql(jdbcUrl, "SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    private static void sql(String jdbcUrl, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
