package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.contract.ConcordContract;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The replica against a real Kafka broker and a real PostgreSQL: states produced to
 * {@code concord.state.customer} end up in the store and behind the read API. Each test has its own
 * database and consumer group; entity ids are unique per test because the topics are shared.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReplicaApplyTest {

    private static final Duration APPLIED_WITHIN = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConcordContract contract;
    private static CustomerStates states;
    private static KafkaProducer<String, EntityState> producer;

    private String jdbcUrl;
    private ReplicaDatabase database;
    private RunningReplica replica;

    @BeforeAll
    static void connectAsTheProcessor() {
        contract = ConcordContract.connect(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()),
                EntityTypes.load(EntityTypes.DEFAULT_DECLARATION)).registerWriterSchemas();
        states = new CustomerStates(contract);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), contract.topics().stateSerde().serializer());
    }

    @AfterAll
    static void disconnect() throws Exception {
        producer.close();
        contract.close();
    }

    @BeforeEach
    void startReplicaOnFreshDatabase() {
        jdbcUrl = PostgresExtension.createDatabase();
        database = new ReplicaDatabase(jdbcUrl);
        replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), jdbcUrl, KafkaTestClients.uniqueId("replica"));
    }

    @AfterEach
    void stopReplica() {
        if (replica != null) {
            replica.close();
        }
    }

    @Test
    void shouldServeAppliedStateAsJsonWithVersionAndETag() throws Exception {
        String id = KafkaTestClients.uniqueId("ada");

        publish(id, states.live(id, 1, "Ada"));

        HttpResponse<String> response = awaitStatus("/v1/entities/customer/" + id, 200);
        assertThat(response.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("type").asText()).isEqualTo("customer");
        assertThat(body.path("id").asText()).isEqualTo(id);
        assertThat(body.path("version").asLong()).isEqualTo(1);
        assertThat(body.path("clock").path("physicalMillis").asLong()).isEqualTo(1_700_000_000_001L);
        assertThat(body.path("clock").path("logical").asInt()).isZero();
        assertThat(body.path("writer").asText()).isEqualTo("sales");
        assertThat(body.path("deleted").asBoolean()).isFalse();
        assertThat(body.path("updatedAt").asText()).isEqualTo(CustomerStates.UPDATED_AT.toString());
        assertThat(body.path("data").path("name").asText()).isEqualTo("Ada");
        assertThat(body.path("data").path("email").asText()).isEqualTo("ada@example.com");
        assertThat(body.path("data").path("tier").asText()).isEqualTo("STANDARD");
        assertThat(body.path("data").path("address").isNull()).isTrue();

        HttpResponse<String> unchanged = replica.get("/v1/entities/customer/" + id, Map.of("If-None-Match", "\"1\"", RunningReplica.KEY_HEADER, RunningReplica.KEY));
        assertThat(unchanged.statusCode()).isEqualTo(304);
    }

    @Test
    void shouldKeepNewerStateWhenOlderVersionArrivesLate() throws Exception {
        String id = KafkaTestClients.uniqueId("grace");

        publish(id, states.live(id, 2, "Grace v2"));
        RecordMetadata late = publish(id, states.live(id, 1, "Grace v1"));

        awaitConsumedPast(late);
        assertThat(database.entity("customer", id)).hasValueSatisfying(row -> assertThat(row.version()).isEqualTo(2));
        JsonNode body = JSON.readTree(replica.get("/v1/entities/customer/" + id).body());
        assertThat(body.path("version").asLong()).isEqualTo(2);
        assertThat(body.path("data").path("name").asText()).isEqualTo("Grace v2");
    }

    @Test
    void shouldAnswerNotFoundProblemWhenEntityIsDeleted() throws Exception {
        String id = KafkaTestClients.uniqueId("linus");

        publish(id, states.live(id, 1, "Linus"));
        RecordMetadata deletion = publish(id, states.deleted(id, 2));

        awaitConsumedPast(deletion);
        assertThat(database.entity("customer", id)).hasValueSatisfying(row -> {
            assertThat(row.deleted()).isTrue();
            assertThat(row.version()).isEqualTo(2);
            assertThat(row.dataJson()).isNull();
        });
        HttpResponse<String> response = replica.get("/v1/entities/customer/" + id);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(404);
        assertThat(problem.path("detail").asText()).contains(id, "deleted", "version 2");
    }

    @Test
    void shouldRemoveRowWhenKafkaTombstoneArrives() {
        String id = KafkaTestClients.uniqueId("barbara");
        publish(id, states.live(id, 1, "Barbara"));
        awaitStatus("/v1/entities/customer/" + id, 200);

        RecordMetadata tombstone = publish(id, null);

        awaitConsumedPast(tombstone);
        assertThat(database.entity("customer", id)).isEmpty();
        assertThat(replica.get("/v1/entities/customer/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswerNotFoundProblemNamingKnownTypesForUnknownType() throws Exception {
        HttpResponse<String> response = replica.get("/v1/entities/unicorn/1");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asText()).endsWith("/unknown-entity-type");
        assertThat(problem.path("errors").get(0).path("field").asText()).isEqualTo("type");
        assertThat(problem.path("errors").get(0).path("expected").asText()).isEqualTo("one of " + String.join(", ", contract.types().names()));
    }

    @Test
    void shouldResumeFromStoredOffsetsAfterRestartWithoutReapplying() {
        String first = KafkaTestClients.uniqueId("edsger");
        String second = KafkaTestClients.uniqueId("donald");
        publish(first, states.live(first, 1, "Edsger"));
        publish(second, states.live(second, 1, "Donald"));
        publish(second, states.live(second, 2, "Donald v2"));
        awaitCaughtUp();
        long firstSeq = database.entity("customer", first).orElseThrow().changeSeq();
        long secondSeq = database.entity("customer", second).orElseThrow().changeSeq();
        long lastDrawn = database.lastDrawnChangeSeq();
        Map<TopicPartition, Long> offsetsBefore = database.consumedOffsets();

        // A new group has no committed Kafka offsets: only the stored offsets can make it resume.
        replica.close();
        replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), jdbcUrl, KafkaTestClients.uniqueId("replica-restarted"));
        String third = KafkaTestClients.uniqueId("barbara");
        publish(third, states.live(third, 1, "Barbara"));

        await().atMost(APPLIED_WITHIN).until(() -> database.entity("customer", third).isPresent());
        assertThat(database.entity("customer", first).orElseThrow().changeSeq()).isEqualTo(firstSeq);
        assertThat(database.entity("customer", second).orElseThrow().changeSeq()).isEqualTo(secondSeq);
        // Re-reading any earlier record would have drawn change_seq values before this one.
        assertThat(database.entity("customer", third).orElseThrow().changeSeq()).isEqualTo(lastDrawn + 1);
        offsetsBefore.forEach((partition, offset) -> assertThat(database.consumedOffset(partition)).isGreaterThanOrEqualTo(offset));
    }

    private RecordMetadata publish(String id, EntityState state) {
        try {
            return producer.send(new ProducerRecord<>(TopicNames.state("customer"), id, state)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish state of " + id, e.getCause());
        }
    }

    private HttpResponse<String> awaitStatus(String path, int status) {
        return await().atMost(APPLIED_WITHIN).until(() -> replica.get(path), response -> response.statusCode() == status);
    }

    private void awaitConsumedPast(RecordMetadata record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        await().atMost(APPLIED_WITHIN).until(() -> database.consumedOffset(partition) > record.offset());
    }

    /** Waits until the store has consumed every state topic to its current end. */
    private void awaitCaughtUp() {
        Map<TopicPartition, Long> ends = endOffsets(List.of(TopicNames.state("customer"), TopicNames.state("order")));
        await().atMost(APPLIED_WITHIN).untilAsserted(() -> {
            Map<TopicPartition, Long> consumed = database.consumedOffsets();
            ends.forEach((partition, end) -> {
                if (end > 0) {
                    assertThat(consumed.get(partition)).as("stored offset of %s", partition).isEqualTo(end);
                }
            });
        });
    }

    private static Map<TopicPartition, Long> endOffsets(List<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (String topic : topics) {
                for (PartitionInfo info : consumer.partitionsFor(topic)) {
                    TopicPartition partition = new TopicPartition(topic, info.partition());
                    ends.put(partition, consumer.endOffsets(List.of(partition)).get(partition));
                }
            }
            return ends;
        }
    }
}
