package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.consumer.FeedClients.Change;
import dev.concord.consumer.FeedClients.WsClient;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database goes away in the middle of a stream of states: the replica pauses (health DOWN, reads
 * answer 503), and once the database is back it applies everything that arrived meanwhile, and a
 * WebSocket client that stayed connected gets every change once, in order. The outage is real: the
 * database refuses connections and its sessions are killed, which is what a restart looks like to
 * the replica's connection pool.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReplicaStoreOutageTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);

    @Test
    void shouldApplyEveryStateThatArrivedDuringStoreOutageOnceStoreIsBack() throws Exception {
        List<String> expected = new ArrayList<>();
        try (ReplicaUnderTest started = ReplicaUnderTest.start(TestTypes.declare(3, "outage"), Map.of("concord.store.connection-timeout", "1s"));
             WsClient client = WsClient.subscribe(started.replica().webSocketUri("/v1/changes/ws"), List.of(started.types().name(0)), 0)) {
            String type = started.types().name(0);
            StatePublisher publisher = started.publisher();
            RunningReplica replica = started.replica();
            ReplicaDatabase database = started.database();
            String jdbcUrl = database.jdbcUrl();
            String databaseName = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1, jdbcUrl.indexOf('?'));
            CustomerStates states = publisher.states(type);
            for (int i = 0; i < 100; i++) {
                publisher.send(type, "m-" + i, states.live("m-" + i, 1, "Margaret " + i));
                expected.add("m-" + i + "@1");
            }
            publisher.flush();
            await().atMost(WITHIN).until(() -> client.changes().size() == 100);

            // The database goes away; states keep coming.
            setConnectionsAllowed(databaseName, false);
            try {
                for (int i = 50; i < 150; i++) {
                    long version = i < 100 ? 2 : 1;
                    publisher.send(type, "m-" + i, states.live("m-" + i, version, "Margaret " + i + " v" + version, "support"));
                    expected.add("m-" + i + "@" + version);
                }
                publisher.flush();
                await().atMost(WITHIN).until(() -> health(replica, "/health").path("details").path("replicaApplier").path("status").asText().equals("DOWN"));
                assertThat(replica.get("/health/readiness").statusCode()).isEqualTo(503);
                HttpResponse<String> read = replica.get("/v1/entities/" + type + "/m-1");
                assertThat(read.statusCode()).isEqualTo(503);
                assertThat(FeedClients.json(read.body()).path("type").asText()).endsWith("/store-unavailable");
            } finally {
                setConnectionsAllowed(databaseName, true);
            }

            // It resumes from the stored offsets: everything arrives, once, in order.
            await().atMost(WITHIN).until(() -> client.changes().size() >= expected.size());
            await().atMost(WITHIN).until(() -> health(replica, "/health").path("status").asText().equals("UP"));
            List<Change> received = client.changes();
            assertThat(received).extracting(Change::idAndVersion).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(received).extracting(Change::seq).isSorted().doesNotHaveDuplicates();
            Map<String, ReplicaDatabase.Row> rows = database.rows(type);
            assertThat(rows).hasSize(150);
            rows.forEach((id, row) -> assertThat(row.version()).as(id).isEqualTo(Integer.parseInt(id.substring(2)) < 50 || Integer.parseInt(id.substring(2)) >= 100 ? 1 : 2));
            assertThat(client.closeCode()).as("the stream stayed open").isEqualTo(-1);
        }
    }

    private static JsonNode health(RunningReplica replica, String path) {
        return FeedClients.json(replica.get(path).body());
    }

    /** Refusing connections and killing the open sessions is what a database outage looks like to the pool. */
    private static void setConnectionsAllowed(String databaseName, boolean allowed) throws SQLException {
        try (Connection admin = PostgresExtension.postgres().getPostgresDatabase().getConnection();
             Statement statement = admin.createStatement()) {
            statement.execute("ALTER DATABASE " + databaseName + " WITH ALLOW_CONNECTIONS " + allowed);
            if (!allowed) {
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + databaseName + "'");
            }
        }
    }
}
