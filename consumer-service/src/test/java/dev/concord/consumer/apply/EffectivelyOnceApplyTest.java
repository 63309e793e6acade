package dev.concord.consumer.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.concord.consumer.ReplicaDatabase;
import dev.concord.consumer.store.ReplicaStore;
import dev.concord.contract.topics.TopicNames;
import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.replica.store.AppliedBatch;
import dev.concord.replica.store.StateBatch;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Effectively-once application on a real broker and real PostgreSQL, without the HTTP service: a
 * crash between the database commit and the Kafka offset commit replays nothing, and replicas in
 * different groups, batching differently, end with identical tables.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class EffectivelyOnceApplyTest {

    private static final Duration WITHIN = Duration.ofSeconds(60);

    /** A store that "crashes the process" right after its n-th transaction committed: nothing after it runs. */
    private static final class CrashAfterCommit extends ReplicaStore {
        private final int crashAfter;
        private final AtomicInteger committed = new AtomicInteger();

        CrashAfterCommit(DataSource dataSource, int crashAfter) {
            super(dataSource);
            this.crashAfter = crashAfter;
        }

        @Override
        public AppliedBatch apply(StateBatch batch) {
            AppliedBatch applied = super.apply(batch);
            if (committed.incrementAndGet() == crashAfter) {
                throw new Error("simulated crash after the database commit of batch " + crashAfter + ", before the Kafka offset commit");
            }
            return applied;
        }
    }

    @Test
    void shouldReplayNothingAfterCrashBetweenDatabaseCommitAndKafkaOffsetCommit() throws Exception {
        TestTypes types = TestTypes.declare(3, "crash");
        String type = types.name(0);
        String group = KafkaTestClients.uniqueId("crash-replica");
        String jdbcUrl = PostgresExtension.createDatabase();
        ReplicaDatabase database = new ReplicaDatabase(jdbcUrl);
        DataSource dataSource = TestAppliers.migratedDataSource(jdbcUrl);
        try (StatePublisher publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types)) {
            CustomerStates states = publisher.states(type);
            for (int i = 0; i < 200; i++) {
                publisher.send(type, "c-" + i, states.live("c-" + i, 1, "Customer " + i));
            }
            publisher.flush();

            // Given a replica that dies right after its third transaction committed (10 records each)
            try (TestAppliers.Running crashing = TestAppliers.start(KafkaBrokerExtension.bootstrapServers(), types,
                    new CrashAfterCommit(dataSource, 3), group, 10)) {
                await().atMost(WITHIN).until(() -> crashing.applier().status().lastFailure() != null);
                assertThat(crashing.applier().status().lastFailure()).contains("simulated crash");
            }
            Map<String, ReplicaDatabase.Row> beforeRestart = database.rows(type);
            long lastDrawn = database.lastDrawnChangeSeq();
            Map<TopicPartition, Long> stored = database.consumedOffsets();
            assertThat(beforeRestart).hasSize(30);
            assertThat(kafkaCommitted(group)).as("Kafka's offsets lag behind the store's, as after a real crash")
                    .isNotEqualTo(stored);

            // When a new applier of the same group starts on the same store
            try (TestAppliers.Running restarted = TestAppliers.start(KafkaBrokerExtension.bootstrapServers(), types,
                    new ReplicaStore(dataSource), group, 10)) {
                await().atMost(WITHIN).until(() -> restarted.catchUp().caughtUp());
            }

            // Then it resumed from the stored offsets: nothing before the crash was read, let alone applied, again
            Map<String, ReplicaDatabase.Row> after = database.rows(type);
            assertThat(after).hasSize(200);
            beforeRestart.forEach((id, row) -> assertThat(after.get(id)).as(id).isEqualTo(row));
            // One change_seq is drawn per upsert attempted: exactly one per record after the crash.
            assertThat(database.lastDrawnChangeSeq() - lastDrawn).isEqualTo(170);
            after.forEach((id, row) -> {
                if (!beforeRestart.containsKey(id)) {
                    assertThat(row.changeSeq()).as(id).isGreaterThan(lastDrawn);
                }
            });
        }
    }

    @Test
    void shouldConvergeReplicasOfDifferentGroupsToIdenticalTables() throws Exception {
        TestTypes types = TestTypes.declare(3, "converge-a", "converge-b");
        ReplicaDatabase big = new ReplicaDatabase(PostgresExtension.createDatabase());
        ReplicaDatabase small = new ReplicaDatabase(PostgresExtension.createDatabase());
        try (StatePublisher publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types)) {
            Map<String, String> expected = new HashMap<>();
            publishHistory(publisher, types.name(0), 0, expected);
            publishHistory(publisher, types.name(1), 0, expected);

            try (TestAppliers.Running bigBatches = TestAppliers.start(KafkaBrokerExtension.bootstrapServers(), types,
                    new ReplicaStore(TestAppliers.migratedDataSource(big.jdbcUrl())), KafkaTestClients.uniqueId("replica-a"), 2000);
                 TestAppliers.Running smallBatches = TestAppliers.start(KafkaBrokerExtension.bootstrapServers(), types,
                         new ReplicaStore(TestAppliers.migratedDataSource(small.jdbcUrl())), KafkaTestClients.uniqueId("replica-b"), 7)) {
                await().atMost(WITHIN).until(() -> bigBatches.catchUp().caughtUp() && smallBatches.catchUp().caughtUp());
                assertThat(big.content()).hasSize(expected.size()).isEqualTo(small.content());

                // and they stay identical while new states stream in
                publishHistory(publisher, types.name(0), 1000, expected);
                Map<TopicPartition, Long> ends = TestAppliers.endOffsets(KafkaBrokerExtension.bootstrapServers(),
                        types.names().stream().map(TopicNames::state).toList());
                await().atMost(WITHIN).until(() -> big.consumedOffsets().equals(withoutEmpty(ends))
                        && small.consumedOffsets().equals(withoutEmpty(ends)));
            }
            assertThat(big.content()).hasSize(expected.size()).isEqualTo(small.content());
            expected.forEach((key, state) -> {
                String[] typeAndId = key.split("/", 2);
                ReplicaDatabase.Row row = big.entity(typeAndId[0], typeAndId[1]).orElseThrow();
                assertThat(row.version() + (row.deleted() ? " deleted" : "")).as(key).isEqualTo(state);
            });
        }
    }

    /**
     * 60 entities with every kind of history: versions in order and out of order, versioned deletes,
     * deletes followed by a Kafka tombstone (the row goes) and by a newer write (the entity returns).
     */
    private static void publishHistory(StatePublisher publisher, String type, int from, Map<String, String> expected) {
        CustomerStates states = publisher.states(type);
        for (int i = from; i < from + 60; i++) {
            String id = "e-" + i;
            switch (i % 6) {
                case 0 -> {
                    publisher.send(type, id, states.live(id, 1, "One " + i));
                    expected.put(type + "/" + id, "1");
                }
                case 1 -> {
                    publisher.send(type, id, states.live(id, 1, "One " + i));
                    publisher.send(type, id, states.live(id, 2, "Two " + i, "support"));
                    publisher.send(type, id, states.live(id, 3, "Three " + i, "billing"));
                    expected.put(type + "/" + id, "3");
                }
                case 2 -> {
                    publisher.send(type, id, states.live(id, 3, "Three " + i));
                    publisher.send(type, id, states.live(id, 2, "Two, late " + i));
                    expected.put(type + "/" + id, "3");
                }
                case 3 -> {
                    publisher.send(type, id, states.live(id, 1, "One " + i));
                    publisher.send(type, id, states.deleted(id, 2));
                    expected.put(type + "/" + id, "2 deleted");
                }
                case 4 -> {
                    publisher.send(type, id, states.live(id, 1, "One " + i));
                    publisher.send(type, id, states.deleted(id, 2));
                    publisher.send(type, id, null);
                }
                default -> {
                    publisher.send(type, id, states.live(id, 1, "One " + i));
                    publisher.send(type, id, states.deleted(id, 2));
                    publisher.send(type, id, states.live(id, 3, "Back " + i));
                    expected.put(type + "/" + id, "3");
                }
            }
        }
        publisher.flush();
    }

    private static Map<TopicPartition, Long> withoutEmpty(Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> nonEmpty = new HashMap<>(ends);
        nonEmpty.values().removeIf(end -> end == 0);
        return nonEmpty;
    }

    private static Map<TopicPartition, Long> kafkaCommitted(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> offsets = new HashMap<>();
            committed.forEach((partition, offset) -> {
                if (offset != null) {
                    offsets.put(partition, offset.offset());
                }
            });
            return offsets;
        }
    }
}
