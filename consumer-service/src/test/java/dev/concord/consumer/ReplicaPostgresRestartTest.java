package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.consumer.apply.TestAppliers;
import dev.concord.contract.topics.TopicNames;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica's PostgreSQL server really stops ({@code pg_ctl stop -m fast}: every session is
 * terminated, the port is closed) in the middle of a stream of states and starts again on the same
 * port and data directory, while states keep arriving. Nothing is lost: every entity ends at its
 * last version with its last data, the stored offsets reach the topic's end, and every change took its
 * own {@code change_seq}. Health and readiness go DOWN while the server is away and UP after.
 *
 * <p>Unlike {@link ReplicaStoreOutageTest}, which refuses connections to one database of the shared
 * server, this test runs its own server so it can stop it.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ReplicaPostgresRestartTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final int ENTITIES = 300;
    /** Versions 1..6 are published before the stop, 7..10 while the server is down, 11..12 after it is back. */
    private static final int BEFORE_STOP = 6;
    private static final int DURING_OUTAGE = 10;
    private static final int LAST_VERSION = 12;
    private static final String DATABASE = "replica";

    @TempDir
    Path temp;

    @Test
    void shouldLoseNothingWhenPostgresRestartsMidStream() throws Exception {
        TestTypes types = TestTypes.declare(3, "pg-restart");
        String type = types.name(0);
        Path dataDirectory = temp.resolve("pgdata");
        int port = freePort();
        EmbeddedPostgres postgres = startPostgres(dataDirectory, port);
        try {
            try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement statement = admin.createStatement()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
            String jdbcUrl = postgres.getJdbcUrl("postgres", DATABASE);
            ReplicaDatabase database = new ReplicaDatabase(jdbcUrl);
            try (StatePublisher publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types);
                 // 50 records per poll = per transaction: the first states take dozens of commits, so the stop lands mid-stream.
                 RunningReplica replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), jdbcUrl,
                         KafkaTestClients.uniqueId("replica"), types, Map.of(
                                 "concord.store.connection-timeout", "1s",
                                 "concord.replica.consumer.max.poll.records", 50))) {
                CustomerStates states = publisher.states(type);
                await().atMost(WITHIN).until(() -> replica.get("/health").statusCode() == 200);

                publishVersions(publisher, states, type, 1, BEFORE_STOP);
                long publishedBeforeStop = (long) ENTITIES * BEFORE_STOP;
                // Some applied, not all: stop the server as soon as the first versions are in.
                await().atMost(WITHIN).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                        .until(() -> appliedRecords(database) >= ENTITIES);
                long appliedAtStop = appliedRecords(database);
                postgres.close();
                // Usually some of the first versions are still to apply when the server goes; on a quick run all may be in.
                // Either way the stream goes on through the outage: versions 7..10 arrive while the server is down.
                assertThat(appliedAtStop).as("records applied just before the stop").isBetween((long) ENTITIES, publishedBeforeStop);

                // The server is down; states keep coming.
                publishVersions(publisher, states, type, BEFORE_STOP + 1, DURING_OUTAGE);
                // Health and readiness report it: the applier waits to restart, the pool has no connection; bootstrap
                // readiness, once reached, stays reached (README), so replicaBootstrap stays UP.
                HttpResponse<String> health = await().atMost(WITHIN).until(() -> replica.get("/health"),
                        response -> status(response, "replicaApplier").equals("DOWN"));
                assertThat(health.statusCode()).isEqualTo(503);
                HttpResponse<String> readiness = replica.get("/health/readiness");
                assertThat(readiness.statusCode()).isEqualTo(503);
                assertThat(status(readiness, "replicaApplier")).isEqualTo("DOWN");
                assertThat(status(readiness, "jdbc")).isEqualTo("DOWN");
                assertThat(status(readiness, "replicaBootstrap")).isEqualTo("UP");
                assertThat(replica.get("/v1/entities/" + type + "/e-1").statusCode()).isEqualTo(503);

                // The same server again: same port, same data directory, nothing re-initialised.
                postgres = startPostgres(dataDirectory, port);
                assertThat(appliedRecords(database)).as("what was stored before the stop is still there").isGreaterThanOrEqualTo(appliedAtStop);
                publishVersions(publisher, states, type, DURING_OUTAGE + 1, LAST_VERSION);

                Map<TopicPartition, Long> ends = TestAppliers.endOffsets(KafkaBrokerExtension.bootstrapServers(), List.of(TopicNames.state(type)));
                assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo((long) ENTITIES * LAST_VERSION);
                await().atMost(WITHIN).ignoreExceptions().until(() -> database.consumedOffsets().equals(ends));
                await().atMost(WITHIN).until(() -> replica.get("/health").statusCode() == 200
                        && replica.get("/health/readiness").statusCode() == 200);

                Map<String, ReplicaDatabase.Row> rows = database.rows(type);
                assertThat(rows).hasSize(ENTITIES);
                for (int e = 0; e < ENTITIES; e++) {
                    String id = "e-" + e;
                    ReplicaDatabase.Row row = rows.get(id);
                    assertThat(row).as(id).isNotNull();
                    assertThat(row.version()).as(id).isEqualTo(LAST_VERSION);
                    assertThat(row.deleted()).as(id).isFalse();
                    JsonNode data = FeedClients.json(row.dataJson());
                    assertThat(data.path("name").asText()).as(id).isEqualTo(name(e, LAST_VERSION));
                    assertThat(data.path("email").asText()).as(id).isEqualTo(name(e, LAST_VERSION).toLowerCase() + "@example.com");
                }
                assertThat(rows.values()).extracting(ReplicaDatabase.Row::changeSeq).doesNotHaveDuplicates();
                JsonNode applier = FeedClients.json(replica.get("/health").body()).path("details").path("replicaApplier");
                assertThat(applier.path("status").asText()).isEqualTo("UP");
                assertThat(applier.path("details").path("lastFailure").asText()).as("the applier saw the outage").isNotEmpty();
                assertThat(replica.get("/v1/entities/" + type + "/e-1").statusCode()).isEqualTo(200);
            }
        } finally {
            postgres.close();
        }
    }

    /** Versions {@code from..to} of every entity, one version of all entities after another, then waits for the acknowledgements. */
    private static void publishVersions(StatePublisher publisher, CustomerStates states, String type, int from, int to) {
        for (int version = from; version <= to; version++) {
            for (int e = 0; e < ENTITIES; e++) {
                publisher.send(type, "e-" + e, states.live("e-" + e, version, name(e, version)));
            }
        }
        publisher.flush();
    }

    private static String name(int entity, int version) {
        return "Customer " + entity + " v" + version;
    }

    /** Records applied so far: the sum of the stored next offsets. */
    private static long appliedRecords(ReplicaDatabase database) {
        return database.consumedOffsets().values().stream().mapToLong(Long::longValue).sum();
    }

    private static String status(HttpResponse<String> health, String indicator) {
        return FeedClients.json(health.body()).path("details").path(indicator).path("status").asText();
    }

    private static EmbeddedPostgres startPostgres(Path dataDirectory, int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(port)
                .start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
