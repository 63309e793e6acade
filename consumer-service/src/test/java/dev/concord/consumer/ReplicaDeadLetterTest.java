package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.concord.contract.avro.EntityState;
import dev.concord.contract.topics.TopicNames;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A state PostgreSQL cannot store (a string holding U+0000, which jsonb refuses) must not stall the
 * replica: the later states of the same partition still apply, and the refused one is in the replica
 * dead-letter with its reason and its original bytes, counted by a metric and shown in health. Real
 * broker, real PostgreSQL, the whole service.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class ReplicaDeadLetterTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);

    @Test
    void shouldApplyLaterStatesAndDeadLetterTheStateTheStoreRefusesWhenPayloadHoldsNul() throws Exception {
        // One partition: the bad record sits between the good ones, in one batch or across batches.
        try (ReplicaUnderTest started = ReplicaUnderTest.start(TestTypes.declare(1, "nul"), Map.of())) {
            String type = started.types().name(0);
            StatePublisher publisher = started.publisher();
            ReplicaDatabase database = started.database();
            RunningReplica replica = started.replica();
            CustomerStates states = publisher.states(type);
            // Given a state whose name holds U+0000, between good states
            publisher.publish(type, "before", states.live("before", 1, "Grace"));
            EntityState poisoned = states.live("poisoned", 1, "Ada\u0000Lovelace");
            long poisonedOffset = publisher.publish(type, "poisoned", poisoned).offset();
            publisher.publish(type, "after", states.live("after", 1, "Edsger"));
            await().atMost(WITHIN).until(() -> database.entity(type, "after").isPresent());

            // When still later states arrive
            publisher.publish(type, "before", states.live("before", 2, "Grace v2"));
            publisher.publish(type, "later", states.live("later", 1, "Barbara"));

            // Then they apply, and the bad state is in the dead-letter with its reason and original bytes
            await().atMost(WITHIN).until(() -> database.entity(type, "later").isPresent()
                    && database.entity(type, "before").orElseThrow().version() == 2);
            assertThat(database.entity(type, "poisoned")).isEmpty();

            JsonNode letters = FeedClients.json(replica.get("/v1/replica/dead-letters").body()).path("deadLetters");
            assertThat(letters).hasSize(1);
            JsonNode letter = letters.get(0);
            assertThat(letter.path("type").asText()).isEqualTo(type);
            assertThat(letter.path("entityId").asText()).isEqualTo("poisoned");
            assertThat(letter.path("version").asLong()).isEqualTo(1);
            assertThat(letter.path("topic").asText()).isEqualTo(TopicNames.state(type));
            assertThat(letter.path("offset").asLong()).isEqualTo(poisonedOffset);
            assertThat(letter.path("reason").asText()).contains("unsupported Unicode escape sequence");
            assertThat(Base64.getDecoder().decode(letter.path("key").asText())).asString().isEqualTo("poisoned");
            byte[] value = Base64.getDecoder().decode(letter.path("value").asText());
            assertThat(publisher.decodeState(type, value)).isEqualTo(poisoned);

            String metrics = replica.get("/prometheus").body();
            assertThat(metrics).containsPattern("concord_replica_dead_letters_total\\{[^}]*type=\"" + type + "\"[^}]*} 1\\.0");
            JsonNode applier = FeedClients.json(replica.get("/health").body()).path("details").path("replicaApplier");
            assertThat(applier.path("status").asText()).isEqualTo("UP");
            assertThat(applier.path("details").path("deadLetters").asLong()).isEqualTo(1);
            assertThat(applier.path("details").path("lastDeadLetter").path("id").asText()).isEqualTo("poisoned");
        }
    }
}
