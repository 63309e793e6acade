package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A store outage pauses the replica (health DOWN) and it resumes without losing the states that
 * arrived meanwhile. The outage is real: the database refuses connections and its sessions are killed.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReplicaStoreOutageTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldApplyStatesThatArrivedDuringStoreOutageOnceStoreIsBack() throws Exception {
        String jdbcUrl = PostgresExtension.createDatabase();
        String databaseName = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1, jdbcUrl.indexOf('?'));
        ReplicaDatabase database = new ReplicaDatabase(jdbcUrl);
        String id = KafkaTestClients.uniqueId("margaret");
        try (ConcordContract contract = ConcordContract.connect(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()),
                     EntityTypes.load(EntityTypes.DEFAULT_DECLARATION)).registerWriterSchemas();
             KafkaProducer<String, EntityState> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers()),
                     new StringSerializer(), contract.topics().stateSerde().serializer());
             RunningReplica replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), jdbcUrl,
                     KafkaTestClients.uniqueId("replica"), Map.of("concord.store.connection-timeout", "1s"))) {
            CustomerStates states = new CustomerStates(contract);
            producer.send(new ProducerRecord<>(TopicNames.state("customer"), id, states.live(id, 1, "Margaret"))).get();
            await().atMost(WITHIN).until(() -> database.entity("customer", id).isPresent());

            setConnectionsAllowed(databaseName, false);
            producer.send(new ProducerRecord<>(TopicNames.state("customer"), id, states.live(id, 2, "Margaret v2"))).get();
            await().atMost(WITHIN).until(() -> applierHealth(replica).equals("DOWN"));

            setConnectionsAllowed(databaseName, true);
            await().atMost(WITHIN).until(() -> database.entity("customer", id).orElseThrow().version() == 2);
            await().atMost(WITHIN).until(() -> applierHealth(replica).equals("UP"));
        } finally {
            setConnectionsAllowed(databaseName, true);
        }
    }

    private static String applierHealth(RunningReplica replica) throws Exception {
        JsonNode health = JSON.readTree(replica.get("/health").body());
        return health.path("details").path("replicaApplier").path("status").asText();
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
