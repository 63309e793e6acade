package dev.concord.examples.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.contract.AvroTrust;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityEvent;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.clock.HlcTimestamp;
import dev.concord.contract.events.EntityEvents;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import dev.concord.processor.it.ProcessorOnTestBroker;
import dev.concord.processor.topology.SyncSettings;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conflicting writers through the real processor, and the directory killed with SIGKILL in the middle of the
 * stream: after a restart its table holds exactly what the state topic decided, entity for entity.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class CustomerDirectoryCrashTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int ENTITIES = 200;
    private static final int ROUNDS = 15;
    private static final String[] WRITERS = {"sales", "support", "billing"};

    @Test
    void shouldEndIdenticalToTheStateTopicAfterConflictingWritesAndAKill9() throws Exception {
        AvroTrust.trustConcordPackages();
        TestTypes types = TestTypes.declare(3, "crash");
        String bootstrap = KafkaBrokerExtension.bootstrapServers();
        String jdbcUrl = PostgresExtension.createDatabase();
        // small polls: many transactions, so that the kill lands between and inside them
        Map<String, String> properties = DirectoryProcess.settings(jdbcUrl, types.name(0), types.location(),
                Map.of("concord.replica-kit.consumer.max.poll.records", "50"));
        try (ConcordContract contract = ConcordContract.connect(Map.of("bootstrap.servers", bootstrap), EntityTypes.load(types.location()))
                .registerWriterSchemas();
             KafkaStreams processor = ProcessorOnTestBroker.start(contract, SyncSettings.defaults(), "directory-crash");
             KafkaProducer<String, EntityEvent> writers = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), contract.topics().eventSerde().serializer())) {
            EntityType type = contract.types().require(types.name(0));
            DirectoryProcess directory = DirectoryProcess.start(properties);
            Random random = new Random(42);
            try {
                // Given three writers racing on the same customers (clocks that overlap round to round)
                for (int round = 0; round < ROUNDS; round++) {
                    for (int id = 0; id < ENTITIES; id++) {
                        String writer = WRITERS[random.nextInt(WRITERS.length)];
                        long clock = 1_700_000_000_000L + round * 10L + random.nextInt(25);
                        byte[] payload = contract.payloads().encode(new GenericRecordBuilder(type.schema())
                                .set("name", writer + " r" + round).set("email", "c" + id + "@example.com").build());
                        EntityEvent event = EntityEvents.upsert(UUID.randomUUID(), type.name(), "c-" + id, payload,
                                new HlcTimestamp(clock, 0), writer, EntityEvents.source("crash-test"));
                        writers.send(new ProducerRecord<>(TopicNames.events(type.name()), event.getEntityId(), event));
                    }
                    writers.flush();
                    // When the directory is killed mid-stream, once it has applied some of it
                    if (round == ROUNDS / 2) {
                        await().atMost(WAIT).until(() -> rows(jdbcUrl).size() > 0);
                        directory.kill();
                        directory = DirectoryProcess.start(properties);
                    }
                }

                // Then, after a restart and quiescence, its table is the state topic's last decision for every customer
                DirectoryProcess running = directory;
                await().atMost(WAIT).until(() -> ready(running));
                await().atMost(WAIT).untilAsserted(() -> assertThat(rows(jdbcUrl)).isEqualTo(decided(contract, type, bootstrap)));
                assertThat(rows(jdbcUrl)).hasSize(ENTITIES);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n--- directory log ---\n" + directory.logTail(), e);
            } finally {
                directory.close();
            }
        }
    }

    /** id -> "name@version", the last state per entity on the state topic (read committed). */
    private static Map<String, String> decided(ConcordContract contract, EntityType type, String bootstrap) {
        Map<String, String> decided = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : KafkaTestClients.readAll(bootstrap, TopicNames.state(type.name()), IsolationLevel.READ_COMMITTED)) {
            EntityState state = contract.topics().stateSerde().deserializer().deserialize(record.topic(), record.value());
            String name = contract.payloads().decode(state.getPayload(), type.schema()).get("name").toString();
            decided.put(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8), name + "@" + state.getVersion());
        }
        return decided;
    }

    private static Map<String, String> rows(String jdbcUrl) throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        try (Connection db = DriverManager.getConnection(jdbcUrl); Statement sql = db.createStatement()) {
            if (!exists(sql)) {
                return rows;
            }
            try (ResultSet row = sql.executeQuery("SELECT id, name, version FROM customers")) {
                while (row.next()) {
                    rows.put(row.getString(1), row.getString(2) + "@" + row.getLong(3));
                }
            }
        }
        return rows;
    }

    private static boolean exists(Statement sql) throws SQLException {
        try (ResultSet table = sql.executeQuery("SELECT to_regclass('customers') IS NOT NULL")) {
            table.next();
            return table.getBoolean(1);
        }
    }

    private static boolean ready(DirectoryProcess directory) {
        if (!directory.alive()) {
            throw new IllegalStateException("the directory exited");
        }
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + directory.port() + "/health/readiness")).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
